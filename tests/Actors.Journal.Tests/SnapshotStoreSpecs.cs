using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Actors.Journal.Snapshots;
using Bank.Testing;
using Xunit.Abstractions;
using TestKit = Akka.TestKit.Xunit2.TestKit;

namespace Actors.Journal.Tests;

/// <summary>Which snapshot store: ours (FastSqlSnapshotStore) or Akka.Persistence.Sql's own.</summary>
public enum SnapshotWriter
{
    FastSql,
    AkkaSql,
}

/// <summary>
/// Our snapshot store on Akka.Persistence.Sql's <c>snapshot</c> table, on SQLite and PostgreSQL: Akka's snapshot protocol
/// (save, load by criteria, replace, delete one, delete by criteria), the same table whoever creates it, and rows that
/// either store reads from the other.
/// </summary>
public abstract class SnapshotStoreSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTime Day = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static int _instance;
    private readonly List<TestDatabase> _databases = [];
    private readonly List<TestKit> _kits = [];

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    /// <summary>The snapshot table as the database describes it (columns, keys, indexes).</summary>
    protected abstract Task<List<string>> DescribeSchemaAsync(TestDatabase db);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var kit in _kits) kit.Shutdown();
        foreach (var db in _databases) await db.DisposeAsync();
    }

    private async Task<TestDatabase> NewDatabaseAsync()
    {
        var db = await CreateDatabaseAsync();
        _databases.Add(db);
        return db;
    }

    /// <summary>An actor system whose default snapshot store is <paramref name="writer"/>'s on <paramref name="db"/>.</summary>
    private IActorRef Store(TestDatabase db, SnapshotWriter writer)
    {
        var connectionString = db.ConnectionString.Replace("\"", "\\\"", StringComparison.Ordinal);
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            akka.persistence.snapshot-store.plugin = "{{(writer == SnapshotWriter.FastSql ? FastSqlSnapshotStore.PluginId : "akka.persistence.snapshot-store.sql")}}"
            akka.persistence.snapshot-store.fast-sql { provider = {{db.OurProvider}}, connection-string = "{{connectionString}}" }
            akka.persistence.snapshot-store.sql { provider-name = "{{db.StockProvider}}", connection-string = "{{connectionString}}", auto-initialize = on }
            """).WithFallback(GroupCommitJournal.DefaultConfiguration).WithFallback(SqlPersistence.DefaultConfiguration);
        var kit = new TestKit(config, $"snapshots-{writer}-{Interlocked.Increment(ref _instance)}", output);
        _kits.Add(kit);
        return Persistence.Instance.Apply(kit.Sys).SnapshotStoreFor(null);
    }

    private static async Task SaveAsync(IActorRef store, string persistenceId, long sequenceNr, DateTime at, string text)
    {
        var metadata = new SnapshotMetadata(persistenceId, sequenceNr, at);
        var reply = await store.Ask<object>(new SaveSnapshot(metadata, new Note(text)), Patience);
        Assert.True(reply is SaveSnapshotSuccess, $"save failed: {reply}");
    }

    private static async Task<SelectedSnapshot?> LoadAsync(IActorRef store, string persistenceId, SnapshotSelectionCriteria? criteria = null)
    {
        var reply = await store.Ask<object>(new LoadSnapshot(persistenceId, criteria ?? SnapshotSelectionCriteria.Latest, long.MaxValue), Patience);
        var result = Assert.IsType<LoadSnapshotResult>(reply);
        return result.Snapshot;
    }

    private static string? Text(SelectedSnapshot? snapshot) => ((Note?)snapshot?.Snapshot)?.Text;

    [Fact]
    public async Task Its_auto_initialize_creates_exactly_the_table_Akka_Persistence_Sql_creates()
    {
        var ours = await NewDatabaseAsync();
        var stock = await NewDatabaseAsync();
        await SaveAsync(Store(ours, SnapshotWriter.FastSql), "schema", 1, Day, "s");
        await SaveAsync(Store(stock, SnapshotWriter.AkkaSql), "schema", 1, Day, "s");

        var expected = await DescribeSchemaAsync(stock);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, await DescribeSchemaAsync(ours));
    }

    [Fact]
    public async Task The_latest_snapshot_is_loaded_with_its_metadata_and_an_unknown_id_has_none()
    {
        var store = Store(await NewDatabaseAsync(), SnapshotWriter.FastSql);
        await SaveAsync(store, "ada", 100, Day, "at 100");
        await SaveAsync(store, "ada", 300, Day.AddHours(2), "at 300");
        await SaveAsync(store, "ada", 200, Day.AddHours(1), "at 200");
        await SaveAsync(store, "bob", 400, Day, "bob's");

        var latest = await LoadAsync(store, "ada");

        Assert.Equal("at 300", Text(latest));
        Assert.Equal(new SnapshotMetadata("ada", 300, Day.AddHours(2)), latest!.Metadata);
        Assert.Equal(Day.AddHours(2), latest.Metadata.Timestamp);
        Assert.Null(await LoadAsync(store, "nobody"));
    }

    [Fact]
    public async Task Criteria_bound_the_sequence_number_and_the_timestamp_inclusively()
    {
        var store = Store(await NewDatabaseAsync(), SnapshotWriter.FastSql);
        await SaveAsync(store, "cy", 100, Day, "at 100");
        await SaveAsync(store, "cy", 200, Day.AddHours(1), "at 200");
        await SaveAsync(store, "cy", 300, Day.AddHours(2), "at 300");

        Assert.Equal("at 200", Text(await LoadAsync(store, "cy", new SnapshotSelectionCriteria(250))));
        Assert.Equal("at 200", Text(await LoadAsync(store, "cy", new SnapshotSelectionCriteria(200))));
        Assert.Equal("at 100", Text(await LoadAsync(store, "cy", new SnapshotSelectionCriteria(long.MaxValue, Day.AddMinutes(59)))));
        Assert.Equal("at 200", Text(await LoadAsync(store, "cy", new SnapshotSelectionCriteria(long.MaxValue, Day.AddHours(1)))));
        Assert.Equal("at 200", Text(await LoadAsync(store, "cy", new SnapshotSelectionCriteria(250, DateTime.MaxValue, 150, null))));
        Assert.Null(await LoadAsync(store, "cy", new SnapshotSelectionCriteria(99)));
        Assert.Null(await LoadAsync(store, "cy", SnapshotSelectionCriteria.None));
    }

    [Fact]
    public async Task Saving_the_same_sequence_number_again_replaces_the_snapshot()
    {
        var store = Store(await NewDatabaseAsync(), SnapshotWriter.FastSql);
        await SaveAsync(store, "dee", 100, Day, "first");
        await SaveAsync(store, "dee", 100, Day.AddHours(1), "second");

        var loaded = await LoadAsync(store, "dee");

        Assert.Equal("second", Text(loaded));
        Assert.Equal(Day.AddHours(1), loaded!.Metadata.Timestamp);
    }

    [Fact]
    public async Task Deleting_one_snapshot_or_those_a_criteria_selects_leaves_the_others()
    {
        var store = Store(await NewDatabaseAsync(), SnapshotWriter.FastSql);
        foreach (var n in new[] { 100, 200, 300, 400 }) await SaveAsync(store, "eve", n, Day.AddHours(n / 100), $"at {n}");
        await SaveAsync(store, "fay", 100, Day, "fay's");

        var deleted = await store.Ask<object>(new DeleteSnapshot(new SnapshotMetadata("eve", 400, Day)), Patience);
        Assert.IsType<DeleteSnapshotSuccess>(deleted);
        Assert.Equal("at 300", Text(await LoadAsync(store, "eve")));

        var criteria = new SnapshotSelectionCriteria(200);
        var deletedMany = await store.Ask<object>(new DeleteSnapshots("eve", criteria), Patience);
        Assert.IsType<DeleteSnapshotsSuccess>(deletedMany);
        Assert.Null(await LoadAsync(store, "eve", criteria));
        Assert.Equal("at 300", Text(await LoadAsync(store, "eve")));
        Assert.Equal("fay's", Text(await LoadAsync(store, "fay")));
    }

    [Fact]
    public async Task Snapshots_saved_by_either_store_are_loaded_by_the_other()
    {
        var db = await NewDatabaseAsync();
        var ours = Store(db, SnapshotWriter.FastSql);
        var stock = Store(db, SnapshotWriter.AkkaSql);
        await SaveAsync(ours, "gil", 100, Day, "ours at 100");
        await SaveAsync(stock, "gil", 200, Day.AddHours(1), "stock at 200");
        await SaveAsync(ours, "hal", 100, Day, "ours only");

        var byOurs = await LoadAsync(ours, "gil");
        var byStock = await LoadAsync(stock, "gil");
        var oursByStock = await LoadAsync(stock, "hal");

        Assert.Equal("stock at 200", Text(byOurs));
        Assert.Equal(byStock!.Metadata, byOurs!.Metadata);
        Assert.Equal("stock at 200", Text(byStock));
        Assert.Equal("ours only", Text(oursByStock));
        Assert.Equal(new SnapshotMetadata("hal", 100, Day), oursByStock!.Metadata);
        Assert.Equal("ours at 100", Text(await LoadAsync(stock, "gil", new SnapshotSelectionCriteria(150))));
    }
}

public sealed class SqliteSnapshotStoreSpecs(ITestOutputHelper output) : SnapshotStoreSpecs(output)
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult<TestDatabase>(new SqliteTestDatabase());

    protected override async Task<List<string>> DescribeSchemaAsync(TestDatabase db) =>
        [.. (await db.RowsAsync("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE tbl_name = 'snapshot' ORDER BY type, name"))
            .Select(r => string.Join(" | ", r))];
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSnapshotStoreSpecs(PostgresServer server, ITestOutputHelper output) : SnapshotStoreSpecs(output)
{
    protected override async Task<TestDatabase> CreateDatabaseAsync() => await PostgresTestDatabase.CreateAsync(server);

    protected override async Task<List<string>> DescribeSchemaAsync(TestDatabase db)
    {
        var columns = await db.RowsAsync(
            """
            SELECT ordinal_position, column_name, data_type, is_nullable, coalesce(column_default, '')
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'snapshot' ORDER BY ordinal_position
            """);
        var constraints = await db.RowsAsync(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'public.snapshot'::regclass ORDER BY 1");
        var indexes = await db.RowsAsync("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'snapshot' ORDER BY 1");
        return [.. columns.Concat(constraints).Concat(indexes).Select(r => string.Join(" | ", r))];
    }
}
