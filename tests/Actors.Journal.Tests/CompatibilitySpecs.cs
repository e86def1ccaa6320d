using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Bank.Testing;
using Xunit.Abstractions;

namespace Actors.Journal.Tests;

/// <summary>
/// Our writer and Akka.Persistence.Sql's share the tables both ways: the same schema whoever creates it, and events written
/// by one are recovered by the other's journal and found by the stock SqlReadJournal.
/// </summary>
public abstract class CompatibilitySpecs(ITestOutputHelper output) : IAsyncLifetime
{
    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    /// <summary>The schema as the database describes it (tables journal and tags: columns, keys, indexes).</summary>
    protected abstract Task<List<string>> DescribeSchemaAsync(TestDatabase db);

    private readonly List<TestDatabase> _databases = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var db in _databases) await db.DisposeAsync();
    }

    private async Task<TestDatabase> NewDatabaseAsync()
    {
        var db = await CreateDatabaseAsync();
        _databases.Add(db);
        return db;
    }

    private JournalHarness Harness(TestDatabase db, Writer writer, string extra = "") => new(db, writer, output, extra);

    private static async Task<Persisted> PersistAsync(JournalHarness system, string persistenceId, PersistNotes command)
    {
        var probe = system.CreateProbe();
        var actor = system.Sys.ActorOf(NoteTaker.Props(persistenceId));
        actor.Tell(command, probe.Ref);
        var persisted = await probe.ExpectMsgAsync<Persisted>();
        probe.Watch(actor);
        actor.Tell(PoisonPill.Instance);
        await probe.ExpectTerminatedAsync(actor);
        return persisted;
    }

    private static async Task<Notes> RecoverAsync(JournalHarness system, string persistenceId)
    {
        var probe = system.CreateProbe();
        var actor = system.Sys.ActorOf(NoteTaker.Props(persistenceId));
        actor.Tell(new GetNotes(), probe.Ref);
        var notes = await probe.ExpectMsgAsync<Notes>();
        probe.Watch(actor);
        actor.Tell(PoisonPill.Instance);
        await probe.ExpectTerminatedAsync(actor);
        return notes;
    }

    private static async Task<List<EventEnvelope>> StockQueryAsync(JournalHarness system, Func<SqlReadJournal, Source<EventEnvelope, NotUsed>> query)
    {
        var readJournal = PersistenceQuery.Get(system.Sys).ReadJournalFor<SqlReadJournal>(Configs.StockQueryPluginId);
        var events = await query(readJournal).RunWith(Sink.Seq<EventEnvelope>(), system.Sys.Materializer());
        return [.. events];
    }

    private static string Text(EventEnvelope e) => ((Note)e.Event).Text;

    [Fact]
    public async Task Our_auto_initialize_creates_exactly_the_tables_Akka_Persistence_Sql_creates()
    {
        var ours = await NewDatabaseAsync();
        var stock = await NewDatabaseAsync();
        using (var system = Harness(ours, Writer.GroupCommit)) await system.WriteAsync(Events.Write(Events.Tagged("schema", 1, "t")));
        using (var system = Harness(stock, Writer.AkkaSql)) await system.WriteAsync(Events.Write(Events.Tagged("schema", 1, "t")));

        var expected = await DescribeSchemaAsync(stock);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, await DescribeSchemaAsync(ours));
    }

    [Fact]
    public async Task Events_written_by_group_commit_are_recovered_and_queried_by_Akka_Persistence_Sql()
    {
        var db = await NewDatabaseAsync();
        using (var ours = Harness(db, Writer.GroupCommit))
        {
            await PersistAsync(ours, "alice", new PersistNotes(["a1", "a2", "a3"], ["notes"]));
            await PersistAsync(ours, "bob", new PersistNotes(["b1", "b2"], ["notes", "bob"], Atomically: true));
            await PersistAsync(ours, "alice", new PersistNotes(["a4"], ["notes"]));
        }

        using var stock = Harness(db, Writer.AkkaSql);
        var alice = await RecoverAsync(stock, "alice");
        Assert.Equal(["a1", "a2", "a3", "a4"], alice.Texts);
        Assert.Equal(4, alice.LastSequenceNr);
        Assert.Equal(["b1", "b2"], (await RecoverAsync(stock, "bob")).Texts);

        var byTag = await StockQueryAsync(stock, q => q.CurrentEventsByTag("notes", Offset.NoOffset()));
        Assert.Equal(["a1", "a2", "a3", "b1", "b2", "a4"], byTag.Select(Text).ToArray());
        Assert.Equal(byTag.Select(e => ((Sequence)e.Offset).Value).Order(), byTag.Select(e => ((Sequence)e.Offset).Value));
        Assert.Equal(["b1", "b2"], (await StockQueryAsync(stock, q => q.CurrentEventsByTag("bob", Offset.NoOffset()))).Select(Text).ToArray());
        var byId = await StockQueryAsync(stock, q => q.CurrentEventsByPersistenceId("alice", 0, long.MaxValue));
        Assert.Equal(["a1", "a2", "a3", "a4"], byId.Select(Text).ToArray());
        Assert.Equal([1L, 2, 3, 4], byId.Select(e => e.SequenceNr).ToArray());

        // And the stock journal goes on where ours stopped.
        Assert.Equal(5, (await PersistAsync(stock, "alice", new PersistNotes(["a5"], ["notes"]))).LastSequenceNr);
    }

    [Fact]
    public async Task The_stock_read_journal_runs_with_group_commit_as_its_write_plugin()
    {
        var db = await NewDatabaseAsync();
        // SqlReadJournal asks its write plugin whether it is initialized when it starts: ours must answer.
        using var ours = Harness(db, Writer.GroupCommit, $"akka.persistence.query.journal.sql.write-plugin = \"{Configs.OurPluginId}\"");
        await PersistAsync(ours, "erin", new PersistNotes(["e1", "e2"], ["notes"]));

        var byTag = await StockQueryAsync(ours, q => q.CurrentEventsByTag("notes", Offset.NoOffset()));

        Assert.Equal(["e1", "e2"], byTag.Select(Text).ToArray());
    }

    [Fact]
    public async Task Events_written_by_Akka_Persistence_Sql_are_recovered_and_continued_by_group_commit()
    {
        var db = await NewDatabaseAsync();
        using (var stock = Harness(db, Writer.AkkaSql))
        {
            await PersistAsync(stock, "carol", new PersistNotes(["c1", "c2"], ["notes"]));
            await PersistAsync(stock, "dave", new PersistNotes(["d1", "d2", "d3"], ["notes"], Atomically: true));
        }

        using (var ours = Harness(db, Writer.GroupCommit))
        {
            var carol = await RecoverAsync(ours, "carol");
            Assert.Equal(["c1", "c2"], carol.Texts);
            Assert.Equal(2, carol.LastSequenceNr);
            Assert.Equal(["d1", "d2", "d3"], (await RecoverAsync(ours, "dave")).Texts);
            Assert.Equal(3, (await PersistAsync(ours, "carol", new PersistNotes(["c3"], ["notes"]))).LastSequenceNr);
            Assert.Equal(["c1", "c2", "c3"], (await RecoverAsync(ours, "carol")).Texts);
            await ours.DeleteAsync("dave", 2);
        }

        using var stockAgain = Harness(db, Writer.AkkaSql);
        var byTag = await StockQueryAsync(stockAgain, q => q.CurrentEventsByTag("notes", Offset.NoOffset()));
        Assert.Equal(["c1", "c2", "d3", "c3"], byTag.Select(Text).ToArray()); // dave's 1-2 deleted by ours
        var dave = await RecoverAsync(stockAgain, "dave");
        Assert.Equal(["d3"], dave.Texts);
        Assert.Equal(3, dave.LastSequenceNr);
    }
}

public sealed class SqliteCompatibilitySpecs(ITestOutputHelper output) : CompatibilitySpecs(output)
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult<TestDatabase>(new SqliteTestDatabase());

    protected override async Task<List<string>> DescribeSchemaAsync(TestDatabase db) =>
        [.. (await db.RowsAsync(
                "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master " +
                "WHERE tbl_name IN ('journal', 'tags', 'sqlite_sequence') ORDER BY type, name"))
            .Select(r => string.Join(" | ", r))];
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresCompatibilitySpecs(PostgresServer server, ITestOutputHelper output) : CompatibilitySpecs(output)
{
    protected override async Task<TestDatabase> CreateDatabaseAsync() => await PostgresTestDatabase.CreateAsync(server);

    protected override async Task<List<string>> DescribeSchemaAsync(TestDatabase db)
    {
        var columns = await db.RowsAsync(
            """
            SELECT table_name, ordinal_position, column_name, data_type, is_nullable, coalesce(column_default, ''),
                   is_identity, coalesce(identity_generation, ''), coalesce(identity_start, ''), coalesce(identity_increment, '')
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name IN ('journal', 'tags')
            ORDER BY table_name, ordinal_position
            """);
        var constraints = await db.RowsAsync(
            """
            SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = 'public' AND c.conrelid::regclass::text IN ('journal', 'tags') ORDER BY 1, 2
            """);
        var indexes = await db.RowsAsync(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('journal', 'tags') ORDER BY 1, 2");
        var sequences = await db.RowsAsync(
            "SELECT sequencename, data_type::text, start_value, increment_by, cache_size FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1");
        return [.. columns.Concat(constraints).Concat(indexes).Concat(sequences).Select(r => string.Join(" | ", r))];
    }
}
