using Actors.Persistence.Snapshots;
using Actors.Persistence.Sql.Sqlite;
using Actors.Persistence.Tck;

namespace Actors.Persistence.Sql.Tests;

/// <summary>The snapshot store TCK against <see cref="SqliteSnapshotStore"/>, on a fresh temporary database file per test.</summary>
public sealed class SqliteSnapshotStoreTckTests : SnapshotStoreSpec
{
    private readonly SqliteTckDatabase _database = new();

    protected override Task<ISnapshotStore> CreateSnapshotStoreAsync() =>
        Task.FromResult<ISnapshotStore>(new SqliteSnapshotStore(new SqliteJournalOptions(_database.ConnectionString), Serializer));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Delete();
    }
}
