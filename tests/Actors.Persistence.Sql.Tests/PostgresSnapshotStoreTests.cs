using Actors.Persistence.Snapshots;
using Actors.Persistence.Sql.Postgres;
using Actors.Persistence.Tck.Postgres;
using Npgsql;

namespace Actors.Persistence.Sql.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSnapshotStoreTests(PostgresServer server)
{
    [Fact]
    public async Task A_burst_of_snapshots_is_stored_over_a_few_connections()
    {
        var application = $"snapshots-{Guid.NewGuid():N}"[..30];
        var database = await server.GetOrCreateDatabaseAsync(nameof(PostgresSnapshotStoreTests));
        var connectionString = new NpgsqlConnectionStringBuilder(database) { ApplicationName = application }.ConnectionString;
        await using var store = new PostgresSnapshotStore(new PostgresJournalOptions(connectionString), TestEvents.Serializer());
        await store.InitializeAsync();

        // Many actors reaching their snapshot interval at once.
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            store.SaveAsync(new SnapshotMetadata($"burst-{i}", 100, DateTimeOffset.UtcNow), new Noted($"state {i}"))));

        for (var i = 0; i < 200; i += 37)
            Assert.Equal(new Noted($"state {i}"), (await store.LoadAsync($"burst-{i}", SnapshotSelectionCriteria.Latest))?.Snapshot);
        await using var probe = new NpgsqlConnection(database);
        await probe.OpenAsync();
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", probe))
        {
            count.Parameters.Add(new NpgsqlParameter { Value = application });
            // The pool keeps what it opened: at most the write slots (4) plus one for the loads.
            Assert.InRange((long)(await count.ExecuteScalarAsync())!, 1, 5);
        }
    }
}
