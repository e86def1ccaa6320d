using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Postgres;
using Actors.Persistence.Tck.Postgres;
using Npgsql;

namespace Actors.Persistence.Sql.Tests;

/// <summary>The group commit, fencing and visibility design on a real PostgreSQL; each test in its own schema.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string _schema = $"t_{Guid.NewGuid():N}";
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await server.GetOrCreateDatabaseAsync(nameof(PostgresJournalTests));

    public Task DisposeAsync() => Task.CompletedTask;

    private PostgresJournalOptions Options() => new(_connectionString) { Schema = _schema };

    private PostgresJournal Journal(PostgresJournalOptions? options = null) => new(options ?? Options(), TestEvents.Serializer());

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{schema}", $"\"{_schema}\"", StringComparison.Ordinal), connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Writes_from_many_actors_share_one_transaction()
    {
        await using var journal = Journal();
        await journal.InitializeAsync();
        const int actors = 50;
        const int writesPerActor = 10;

        var results = await Task.WhenAll(Enumerable.Range(0, actors).Select(a => Task.Run(async () =>
        {
            var stored = new List<WriteResult>();
            for (var seq = 1; seq <= writesPerActor; seq++) stored.Add(await journal.WriteOneAsync(TestEvents.Write($"actor-{a}", seq, 1, "all")));
            return stored;
        })));

        Assert.All(results.SelectMany(r => r), r => Assert.IsType<WriteResult.Stored>(r));
        Assert.Equal(actors * writesPerActor, await ScalarAsync<long>("SELECT count(*) FROM {schema}.journal"));
        Assert.Equal(actors * writesPerActor, await ScalarAsync<long>("SELECT count(*) FROM {schema}.event_tag WHERE tag = 'all'"));
        Assert.InRange(journal.TransactionsCommitted, 1, actors * writesPerActor / 2);
        Assert.Equal(journal.TransactionsCommitted, await ScalarAsync<long>("SELECT count(DISTINCT tx_id) FROM {schema}.journal"));
    }

    [Fact]
    public async Task A_batch_is_one_transaction_whose_xid_is_recorded_on_every_row()
    {
        await using var journal = Journal(Options() with { WriteParallelism = 1 });
        await journal.InitializeAsync();

        var results = await journal.WriteAsync([.. Enumerable.Range(1, 100).Select(i => TestEvents.Write($"p-{i}", 1, count: 3, "t"))]);

        Assert.Equal(1, journal.TransactionsCommitted);
        var orderings = results.Select(r => Assert.IsType<WriteResult.Stored>(r).HighestOrdering).ToList();
        Assert.Equal(orderings.Order(), orderings);
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(DISTINCT tx_id) FROM {schema}.journal"));
        Assert.Equal("committed", await ScalarAsync<string>("SELECT DISTINCT pg_xact_status(tx_id) FROM {schema}.journal"));
        // The ordering reported for each write is its last event's.
        Assert.Equal(orderings[41], await ScalarAsync<long>("SELECT ordering FROM {schema}.journal WHERE persistence_id = 'p-42' AND sequence_nr = 3"));
        Assert.Equal(300, await ScalarAsync<long>(
            "SELECT count(*) FROM {schema}.event_tag t JOIN {schema}.journal j USING (ordering) WHERE t.persistence_id = j.persistence_id AND t.sequence_nr = j.sequence_nr"));
    }

    [Fact]
    public async Task Second_writer_of_the_same_sequence_numbers_fails_and_overwrites_nothing()
    {
        await using var first = Journal();
        await using var second = Journal();
        await first.InitializeAsync();

        for (var race = 0; race < 10; race++)
        {
            var pid = $"contested-{race}";
            AtomicWrite Write(string who) => new([.. Enumerable.Range(1, 3).Select(s => TestEvents.Event(pid, s, new Noted(who), "race"))]);

            var results = await Task.WhenAll(first.WriteOneAsync(Write("first")), second.WriteOneAsync(Write("second")));

            var winner = results[0] is WriteResult.Stored ? "first" : "second";
            Assert.Single(results, r => r is WriteResult.Stored);
            var loser = Assert.IsType<WriteResult.Failed>(Assert.Single(results, r => r is not WriteResult.Stored));
            Assert.Contains("already written — another writer?", Assert.IsType<DuplicateSequenceNumberException>(loser.Cause).Message);
            var stored = await first.ReplayAllAsync(pid);
            Assert.Equal([1L, 2L, 3L], stored.Select(e => e.SequenceNr));
            Assert.All(stored, e => Assert.Equal(new Noted(winner), e.Payload));
        }
        Assert.Equal(30, await ScalarAsync<long>("SELECT count(*) FROM {schema}.event_tag WHERE tag = 'race'"));
    }

    [Fact]
    public async Task A_batch_with_one_duplicate_keeps_the_others()
    {
        await using var journal = Journal(Options() with { WriteParallelism = 1 });
        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(new AtomicWrite(TestEvents.Event("taken", 1, new Noted("original")))));

        var results = await journal.WriteAsync(
        [
            TestEvents.Write("a", 1, count: 2, "tag-a"),
            new AtomicWrite([TestEvents.Event("taken", 1, new Noted("intruder"), "tag-x"), TestEvents.Event("taken", 2, new Noted("intruder"))]),
            TestEvents.Write("taken", 3),
            TestEvents.Write("b", 1, count: 3),
        ]);

        Assert.IsType<WriteResult.Stored>(results[0]);
        Assert.IsType<DuplicateSequenceNumberException>(Assert.IsType<WriteResult.Failed>(results[1]).Cause);
        Assert.IsType<WriteResult.Failed>(results[2]); // not attempted after its actor's failure: no gap
        Assert.IsType<WriteResult.Stored>(results[3]);
        Assert.Equal(2, (await journal.ReplayAllAsync("a")).Count);
        Assert.Equal(3, (await journal.ReplayAllAsync("b")).Count);
        Assert.Equal(new Noted("original"), Assert.Single(await journal.ReplayAllAsync("taken")).Payload);
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM {schema}.event_tag WHERE tag = 'tag-x'"));
        Assert.Equal(2, await ScalarAsync<long>("SELECT count(*) FROM {schema}.event_tag WHERE tag = 'tag-a'"));
    }

    [Fact]
    public async Task A_write_the_database_cannot_store_is_rejected_alone()
    {
        await using var journal = Journal(Options() with { WriteParallelism = 1 });

        var results = await journal.WriteAsync([TestEvents.Write("fine-1", 1), TestEvents.Write("nul\0id", 1), TestEvents.Write("fine-2", 1)]);

        Assert.IsType<WriteResult.Stored>(results[0]);
        Assert.IsType<PostgresException>(Assert.IsType<WriteResult.Rejected>(results[1]).Cause);
        Assert.IsType<WriteResult.Stored>(results[2]);
    }

    [Fact]
    public async Task A_lost_database_fails_every_write_of_the_batch()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(_connectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        await using var journal = Journal(new PostgresJournalOptions(unreachable) { Schema = _schema });

        var results = await journal.WriteAsync([TestEvents.Write("a", 1), TestEvents.Write("b", 1)]);

        Assert.All(results, r => Assert.IsAssignableFrom<NpgsqlException>(Assert.IsType<WriteResult.Failed>(r).Cause));
        Assert.Equal(0, journal.PendingWrites);
    }

    [Fact]
    public async Task Tables_go_in_the_configured_schema_and_concurrent_initializations_agree()
    {
        var options = Options() with { Schema = $"odd \"name\" {Guid.NewGuid():N}" };
        var journals = Enumerable.Range(0, 4).Select(_ => Journal(options)).ToList();
        var store = new PostgresSnapshotStore(options, TestEvents.Serializer());
        try
        {
            await Task.WhenAll(journals.Select(j => j.InitializeAsync()).Append(store.InitializeAsync()));
            Assert.IsType<WriteResult.Stored>(await journals[0].WriteOneAsync(TestEvents.Write("p", 1)));
            Assert.Single(await journals[3].ReplayAllAsync("p"));
            Assert.Equal(4, await ScalarAsync<long>(
                $"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{options.Schema.Replace("'", "''", StringComparison.Ordinal)}'"));
            Assert.Equal(0, await ScalarAsync<long>(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + options.Schema.Replace("'", "''", StringComparison.Ordinal)
                + "' AND data_type IN ('real', 'double precision', 'numeric')"));
        }
        finally
        {
            foreach (var journal in journals) await journal.DisposeAsync();
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task EventsWritten_is_raised_before_the_writer_hears_back()
    {
        await using var journal = Journal();
        var raised = 0;
        journal.EventsWritten += () => Interlocked.Increment(ref raised);

        await journal.WriteOneAsync(TestEvents.Write("a", 1));
        await journal.WriteOneAsync(TestEvents.Write("b", 1));

        Assert.Equal(2, Volatile.Read(ref raised));
    }
}
