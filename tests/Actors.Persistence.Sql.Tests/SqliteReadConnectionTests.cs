using Actors.Persistence.Journal;
using Actors.Persistence.Snapshots;
using Actors.Persistence.Sql.Sqlite;

namespace Actors.Persistence.Sql.Tests;

/// <summary>Replays, highest sequence numbers and snapshot loads run on long-lived read connections with prepared statements.</summary>
public sealed class SqliteReadConnectionTests : IDisposable
{
    private readonly TempSqliteDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_kept_read_connection_sees_every_later_commit()
    {
        await using var journal = _db.Journal();
        await using var snapshots = new SqliteSnapshotStore(_db.Options(), TestEvents.Serializer());

        for (var seq = 1; seq <= 5; seq++)
        {
            await journal.WriteOneAsync(TestEvents.Write("p", seq));
            await snapshots.SaveAsync(new SnapshotMetadata("p", seq, DateTimeOffset.UtcNow), new Noted($"at {seq}"));

            Assert.Equal(seq, (await journal.ReplayAllAsync("p")).Count);
            Assert.Equal(seq, await journal.ReadHighestSequenceNrAsync("p"));
            Assert.Equal(new Noted($"at {seq}"), (await snapshots.LoadAsync("p", SnapshotSelectionCriteria.Latest))?.Snapshot);
        }
    }

    [Fact]
    public async Task Idle_read_connections_hold_no_read_transaction_so_the_wal_can_be_checkpointed_fully()
    {
        await using var journal = _db.Journal();
        await using var snapshots = new SqliteSnapshotStore(_db.Options(), TestEvents.Serializer());
        await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            await journal.WriteOneAsync(TestEvents.Write($"p-{i}", 1, count: 3));
            await journal.ReplayAllAsync($"p-{i}");
            await journal.ReadHighestSequenceNrAsync($"p-{i}");
            await snapshots.LoadAsync($"p-{i}", SnapshotSelectionCriteria.Latest);
        }));

        // busy = 0: no connection kept a snapshot of the WAL open.
        Assert.Equal("0", _db.Text("PRAGMA wal_checkpoint(TRUNCATE);"));
        Assert.Equal(60, _db.Scalar("SELECT count(*) FROM journal"));
    }

    [Fact]
    public async Task Many_concurrent_replays_share_a_few_connections()
    {
        await using var journal = _db.Journal();
        await journal.WriteAsync([.. Enumerable.Range(0, 50).Select(i => TestEvents.Write($"p-{i}", 1, count: 10))]);

        var counts = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () => (await journal.ReplayAllAsync($"p-{i % 50}")).Count)));

        Assert.All(counts, c => Assert.Equal(10, c));
    }
}
