using Actors.Persistence.Snapshots;
using Actors.Persistence.Sql.Sqlite;

namespace Actors.Persistence.Sql.Tests;

public sealed class SqliteSnapshotStoreTests : IDisposable
{
    private readonly TempSqliteDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private SqliteSnapshotStore Store() => new(_db.Options(), TestEvents.Serializer());

    [Fact]
    public async Task Delete_by_metadata_matches_the_timestamp_unless_it_is_default()
    {
        var store = Store();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        await store.SaveAsync(new SnapshotMetadata("s", 5, at), new Deposited(1.10m));
        await store.SaveAsync(new SnapshotMetadata("s", 6, at), new Deposited(2.20m));

        await store.DeleteAsync(new SnapshotMetadata("s", 5, at.AddSeconds(1)));
        Assert.Equal(2, _db.Scalar("SELECT count(*) FROM snapshot"));

        await store.DeleteAsync(new SnapshotMetadata("s", 5, at));
        await store.DeleteAsync(new SnapshotMetadata("s", 6, default));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM snapshot"));
    }

    [Fact]
    public async Task Snapshots_live_beside_the_journal_as_bytes_and_come_back_exact()
    {
        await using var journal = _db.Journal();
        await journal.WriteOneAsync(TestEvents.Write("s", 1));
        var store = Store();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

        await store.SaveAsync(new SnapshotMetadata("s", 1, at), new Deposited(1234567.8900m));
        await store.SaveAsync(new SnapshotMetadata("s", 1, at.AddMinutes(1)), new Deposited(0.01m));

        var loaded = await store.LoadAsync("s", SnapshotSelectionCriteria.Latest);
        Assert.NotNull(loaded);
        Assert.Equal(new SnapshotMetadata("s", 1, at.AddMinutes(1)), loaded.Metadata);
        Assert.Equal(new Deposited(0.01m), loaded.Snapshot);
        Assert.Equal("blob", _db.Text("SELECT typeof(payload) FROM snapshot"));
        Assert.Equal("test.deposited", _db.Text("SELECT manifest FROM snapshot"));
    }
}
