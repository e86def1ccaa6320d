using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Postgres;
using Actors.Persistence.Tck.Postgres;
using Npgsql;

namespace Actors.Persistence.Sql.Tests;

/// <summary>
/// The binary COPY write path (batches of at least CopyThreshold events): the same guarantees as the INSERT path —
/// one transaction with its xid on every row, orderings drawn after the xid and reported per write, tag rows for every
/// event, and a taken sequence number failing only its own write.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCopyWriteTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string _schema = $"c_{Guid.NewGuid():N}";
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await server.GetOrCreateDatabaseAsync(nameof(PostgresCopyWriteTests));

    public Task DisposeAsync() => Task.CompletedTask;

    private PostgresJournal Journal(int copyThreshold = 1) =>
        new(new PostgresJournalOptions(_connectionString) { Schema = _schema, WriteParallelism = 1, CopyThreshold = copyThreshold }, TestEvents.Serializer());

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{schema}", $"\"{_schema}\"", StringComparison.Ordinal), connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_copied_batch_is_one_committed_transaction_with_its_orderings_and_tag_rows()
    {
        await using var journal = Journal();

        var results = await journal.WriteAsync(
        [
            .. Enumerable.Range(1, 60).Select(i => TestEvents.Write($"p-{i}", 1, count: 1 + i % 3, "t", "u")),
            TestEvents.Write("untagged", 1, count: 2),
        ]);

        Assert.Equal(1, journal.TransactionsCommitted);
        var orderings = results.Select(r => Assert.IsType<WriteResult.Stored>(r).HighestOrdering).ToList();
        Assert.Equal(orderings.Order(), orderings);
        Assert.Equal(1, await ScalarAsync<long>("SELECT count(DISTINCT tx_id) FROM {schema}.journal"));
        Assert.Equal("committed", await ScalarAsync<string>("SELECT DISTINCT pg_xact_status(tx_id) FROM {schema}.journal"));
        // Each write's ordering is its last event's, and its events are in sequence order.
        Assert.Equal(orderings[41], await ScalarAsync<long>("SELECT ordering FROM {schema}.journal WHERE persistence_id = 'p-42' AND sequence_nr = 1"));
        Assert.Equal(0, await ScalarAsync<long>(
            "SELECT count(*) FROM {schema}.journal a JOIN {schema}.journal b ON a.persistence_id = b.persistence_id AND a.sequence_nr < b.sequence_nr AND a.ordering > b.ordering"));
        var tagged = await ScalarAsync<long>("SELECT count(*) FROM {schema}.journal WHERE tags IS NOT NULL");
        Assert.Equal(2 * tagged, await ScalarAsync<long>(
            "SELECT count(*) FROM {schema}.event_tag t JOIN {schema}.journal j USING (ordering) WHERE t.persistence_id = j.persistence_id AND t.sequence_nr = j.sequence_nr"));
        Assert.Equal(2 * tagged, await ScalarAsync<long>("SELECT count(*) FROM {schema}.event_tag"));
        Assert.Equal(2, (await journal.ReplayAllAsync("untagged")).Count);
        Assert.Equal(["t", "u"], (await journal.ReplayAllAsync("p-5"))[0].Tags);
    }

    [Fact]
    public async Task A_duplicate_in_a_copied_batch_fails_only_its_write_and_the_later_writes_of_its_actor()
    {
        await using var journal = Journal();
        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(new AtomicWrite(TestEvents.Event("taken", 1, new Noted("original")))));

        var results = await journal.WriteAsync(
        [
            TestEvents.Write("a", 1, count: 2, "tag-a"),
            new AtomicWrite([TestEvents.Event("taken", 1, new Noted("intruder"), "tag-x"), TestEvents.Event("taken", 2, new Noted("intruder"))]),
            TestEvents.Write("taken", 3),
            .. Enumerable.Range(1, 40).Select(i => TestEvents.Write($"b-{i}", 1)),
        ]);

        Assert.IsType<WriteResult.Stored>(results[0]);
        Assert.IsType<DuplicateSequenceNumberException>(Assert.IsType<WriteResult.Failed>(results[1]).Cause);
        Assert.IsType<WriteResult.Failed>(results[2]);
        Assert.All(results.Skip(3), r => Assert.IsType<WriteResult.Stored>(r));
        Assert.Equal(new Noted("original"), Assert.Single(await journal.ReplayAllAsync("taken")).Payload);
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM {schema}.event_tag WHERE tag = 'tag-x'"));
        Assert.Equal(2, await ScalarAsync<long>("SELECT count(*) FROM {schema}.event_tag WHERE tag = 'tag-a'"));
        Assert.Equal(43, await ScalarAsync<long>("SELECT count(*) FROM {schema}.journal"));
    }

    [Fact]
    public async Task Copied_and_inserted_batches_draw_orderings_from_the_same_sequence()
    {
        await using var copying = Journal(copyThreshold: 1);
        await using var inserting = Journal(copyThreshold: int.MaxValue);

        for (var round = 1; round <= 3; round++)
        {
            Assert.IsType<WriteResult.Stored>(await copying.WriteOneAsync(TestEvents.Write("copied", round, 1, "t")));
            Assert.IsType<WriteResult.Stored>(await inserting.WriteOneAsync(TestEvents.Write("inserted", round, 1, "t")));
        }

        Assert.Equal(6, await ScalarAsync<long>("SELECT count(DISTINCT ordering) FROM {schema}.journal"));
        Assert.Equal(6, await ScalarAsync<long>("SELECT count(*) FROM {schema}.event_tag WHERE tag = 't'"));
        var all = (await copying.ReplayAllAsync("copied")).Concat(await copying.ReplayAllAsync("inserted")).Select(e => e.Ordering).Order().ToList();
        Assert.Equal(6, all.Distinct().Count());
    }
}
