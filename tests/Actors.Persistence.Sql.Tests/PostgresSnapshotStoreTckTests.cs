using Actors.Persistence.Snapshots;
using Actors.Persistence.Sql.Postgres;
using Actors.Persistence.Tck;
using Actors.Persistence.Tck.Postgres;

namespace Actors.Persistence.Sql.Tests;

/// <summary>The snapshot store TCK against <see cref="PostgresSnapshotStore"/>, in one fresh database for the whole class.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSnapshotStoreTckTests(PostgresServer server) : SnapshotStoreSpec
{
    protected override async Task<ISnapshotStore> CreateSnapshotStoreAsync()
    {
        var connectionString = await server.GetOrCreateDatabaseAsync(nameof(PostgresSnapshotStoreTckTests));
        return new PostgresSnapshotStore(new PostgresJournalOptions(connectionString), Serializer);
    }
}
