using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Sqlite;
using Microsoft.Data.Sqlite;

namespace Actors.Persistence.Sql.Tests;

public sealed class SqliteSchemaTests : IDisposable
{
    private readonly TempSqliteDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task First_use_creates_the_directory_the_schema_and_switches_to_WAL()
    {
        Assert.False(Directory.Exists(_db.Directory));
        await using var journal = _db.Journal();

        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(TestEvents.Write("p", 1)));

        Assert.True(File.Exists(_db.FilePath));
        Assert.Equal("wal", _db.Text("PRAGMA journal_mode;"));
        foreach (var table in new[] { "journal", "event_tag", "metadata", "snapshot" })
            Assert.Equal(1, _db.Scalar($"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM sqlite_master WHERE sql LIKE '%REAL%' OR sql LIKE '%FLOAT%' OR sql LIKE '%DOUBLE%'"));
    }

    [Fact]
    public async Task Initialization_is_idempotent_and_keeps_the_data()
    {
        await using (var journal = _db.Journal())
        {
            await journal.InitializeAsync();
            await journal.InitializeAsync();
            await journal.WriteOneAsync(TestEvents.Write("p", 1));
        }
        await using (var again = _db.Journal())
        {
            await again.InitializeAsync();
            Assert.Single(await again.ReplayAllAsync("p"));
        }
        var store = new SqliteSnapshotStore(_db.Options(), TestEvents.Serializer());
        await store.InitializeAsync();
    }

    [Fact]
    public async Task Without_AutoInitialize_the_schema_is_left_alone_until_InitializeAsync()
    {
        await using var journal = _db.Journal(_db.Options() with { AutoInitialize = false });

        var failed = Assert.IsType<WriteResult.Failed>(await journal.WriteOneAsync(TestEvents.Write("p", 1)));
        Assert.Contains("no such table", failed.Cause.Message);

        await journal.InitializeAsync();
        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(TestEvents.Write("p", 1)));
    }

    [Theory]
    [InlineData(SqliteSynchronous.Off, 0)]
    [InlineData(SqliteSynchronous.Normal, 1)]
    [InlineData(SqliteSynchronous.Full, 2)]
    [InlineData(SqliteSynchronous.Extra, 3)]
    public async Task Connections_use_the_configured_synchronous_mode(SqliteSynchronous mode, long expected)
    {
        var database = new SqliteDatabase(_db.Options() with { Synchronous = mode });

        await using (var pooled = await database.OpenAsync(CancellationToken.None))
            Assert.Equal(expected, Synchronous(pooled));
        using var writer = database.OpenWriter();
        Assert.Equal(expected, Synchronous(writer));
    }

    private static long Synchronous(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous;";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void The_schema_scripts_ship_next_to_the_binaries_and_match_the_embedded_text()
    {
        var scripts = Path.Combine(AppContext.BaseDirectory, "Scripts");
        Assert.Equal(SqlScripts.Sqlite, File.ReadAllText(Path.Combine(scripts, "sqlite.sql")));
        Assert.Equal(SqlScripts.Postgres, File.ReadAllText(Path.Combine(scripts, "postgres.sql")));
        Assert.Contains("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", SqlScripts.Postgres);
        Assert.Contains("tx_id          XID8   NOT NULL", SqlScripts.Postgres);
        Assert.Contains("INTEGER PRIMARY KEY AUTOINCREMENT", SqlScripts.Sqlite);
    }

    [Fact]
    public void Invalid_options_are_refused_up_front()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _db.Journal(_db.Options() with { MaxBatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _db.Journal(_db.Options() with { MaxBufferedWrites = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => _db.Journal(_db.Options() with { ReplayPageSize = 0 }));
        Assert.ThrowsAny<ArgumentException>(() => new SqliteJournal(new SqliteJournalOptions(""), TestEvents.Serializer()));
        Assert.False(Directory.Exists(_db.Directory));
    }
}
