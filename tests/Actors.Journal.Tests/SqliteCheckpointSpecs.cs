using Actors.Journal.Batching;
using Actors.Journal.Sqlite;
using Akka.Configuration;
using Microsoft.Data.Sqlite;

namespace Actors.Journal.Tests;

/// <summary>
/// SQLite: the WAL is copied into the database file by a checkpointer of its own (sqlite.checkpoint-interval), not by
/// the commits of the batch writer, and it is still started over, so it does not grow while writes go on.
/// </summary>
public sealed class SqliteCheckpointSpecs
{
    private const int RestartPages = 32;

    [Fact]
    public async Task While_writes_go_on_the_checkpointer_copies_the_WAL_into_the_file_and_starts_it_over()
    {
        await using var db = new SqliteTestDatabase();
        var store = new SqliteJournalStore(Settings(db, "10ms"));
        await using (store)
        {
            // Writes go on until the checkpointer has started the WAL over three times: how many that takes depends on how
            // fast the disk and the checkpointer's ticks are, so only the time is bounded.
            var written = 0;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (store.CheckpointRestarts < 3 && DateTime.UtcNow < deadline)
            {
                await WriteAsync(store, $"pid-{written % 7}", written / 7 + 1);
                written++;
            }

            Assert.True(store.CheckpointRestarts >= 3, $"{store.CheckpointRestarts} restarts of the WAL after {written} writes");
            // The writer's own automatic checkpoint stays far above the checkpointer's restart size.
            Assert.Equal(4 * RestartPages, WriterAutoCheckpoint(store));
            Assert.Equal(written, CountRows(db));
        }
    }

    [Fact]
    public async Task With_the_checkpointer_off_the_writer_checkpoints_in_its_own_commits_as_SQLite_does()
    {
        await using var db = new SqliteTestDatabase();
        var store = new SqliteJournalStore(Settings(db, "off"));
        await using (store)
        {
            for (var i = 1; i <= 50; i++) await WriteAsync(store, "pid", i);

            Assert.Equal(0, store.CheckpointRestarts);
            Assert.Equal(RestartPages, WriterAutoCheckpoint(store));
            Assert.Equal(50, CountRows(db));
        }
    }

    [Fact]
    public async Task The_checkpointer_reads_the_size_of_the_WAL_from_its_index_as_SQLite_counts_it()
    {
        await using var db = new SqliteTestDatabase();
        var store = new SqliteJournalStore(Settings(db, "off", restartPages: 100_000));
        await using (store)
        {
            for (var i = 1; i <= 20; i++) await WriteAsync(store, "pid", i);

            var read = SqliteCheckpointer.WalFrames(SqliteCheckpointer.IndexFileOf(db.FilePath));
            using var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            using var result = command.ExecuteReader();
            Assert.True(result.Read());
            Assert.True(result.GetInt64(1) > 20, $"the WAL holds {result.GetInt64(1)} frames after 20 commits");
            Assert.Equal(result.GetInt64(1), read);
        }
        Assert.Null(SqliteCheckpointer.WalFrames(SqliteCheckpointer.IndexFileOf(Path.Combine(db.Directory, "none.db"))));
    }

    [Theory]
    [InlineData("-1s")]
    [InlineData("soon")]
    public void A_checkpoint_interval_that_is_neither_off_nor_a_duration_is_refused(string value)
    {
        var config = ConfigurationFactory.ParseString($"connection-string = \"Data Source=x.db\"\nsqlite.checkpoint-interval = \"{value}\"");
        var error = Assert.Throws<ConfigurationException>(() => JournalSettings.From(config));
        Assert.Contains("checkpoint-interval", error.Message);
    }

    private static JournalSettings Settings(SqliteTestDatabase db, string interval, int restartPages = RestartPages) => JournalSettings.From(ConfigurationFactory.ParseString($"""
        connection-string = "{db.ConnectionString}"
        sqlite.wal-autocheckpoint = {restartPages}
        sqlite.checkpoint-interval = {interval}
        """));

    /// <summary>One event of about 2 KB (a page of the journal table each), committed alone.</summary>
    private static async Task WriteAsync(SqliteJournalStore store, string persistenceId, long sequenceNr)
    {
        var write = new PendingWrite([new EventRow(persistenceId, sequenceNr, DateTime.UtcNow.Ticks, new byte[2048], "m", 1, null, ["t"])]);
        await store.Writer.WriteAsync([write], CancellationToken.None);
        Assert.IsType<WriteResult.Stored>(write.Outcome);
    }

    private static long WriterAutoCheckpoint(SqliteJournalStore store)
    {
        using var connection = store.OpenWriter();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_autocheckpoint;";
        return (long)command.ExecuteScalar()!;
    }

    private static long CountRows(SqliteTestDatabase db)
    {
        using var connection = new SqliteConnection($"Data Source={db.FilePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM journal;";
        return (long)command.ExecuteScalar()!;
    }
}
