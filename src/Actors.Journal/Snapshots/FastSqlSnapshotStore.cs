using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Snapshot;

namespace Actors.Journal.Snapshots;

/// <summary>
/// An Akka.Persistence snapshot store on Akka.Persistence.Sql's <c>snapshot</c> table (default table mapping), with plain
/// ADO.NET: a load is one prepared query on a kept-open connection (SQLite) or a pooled, prepared one (PostgreSQL),
/// outside any transaction. The rows are exactly what Akka.Persistence.Sql's snapshot store writes (payload from the
/// serializer Akka finds for the snapshot's type, its id and manifest, <c>created</c> as ticks), so either store reads the
/// other's. Configure with <c>class = "Actors.Journal.Snapshots.FastSqlSnapshotStore, Actors.Journal"</c>; the defaults
/// are in the assembly's reference.conf (<see cref="PluginId"/>), which <see cref="GroupCommitJournal.DefaultConfiguration"/> holds.
/// </summary>
public sealed class FastSqlSnapshotStore : SnapshotStore
{
    /// <summary>The plugin id of the reference configuration.</summary>
    public const string PluginId = "akka.persistence.snapshot-store.fast-sql";

    /// <summary>The plugin section of the reference configuration.</summary>
    internal static Config ReferenceSection => GroupCommitJournal.DefaultConfiguration.GetConfig(PluginId);

    private readonly ISnapshotRows _rows;
    private readonly SnapshotSettings _settings;
    private readonly Akka.Serialization.Serialization _serialization;

    public FastSqlSnapshotStore(Config config)
    {
        _settings = SnapshotSettings.From(config);
        _rows = _settings.Provider == JournalProvider.Sqlite ? new Sqlite.SqliteSnapshotRows(_settings) : new Postgres.PostgresSnapshotRows(_settings);
        _serialization = Context.System.Serialization;
    }

    protected override async Task<SelectedSnapshot> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        var row = await _rows.LoadAsync(persistenceId, Bounds(criteria), cancellationToken).ConfigureAwait(false);
        if (row is null) return null!;
        return new SelectedSnapshot(new SnapshotMetadata(persistenceId, row.SequenceNr, new DateTime(row.Created, DateTimeKind.Utc)), Deserialize(row));
    }

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken) =>
        _rows.SaveAsync(Serialize(metadata, snapshot), cancellationToken);

    protected override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken) =>
        _rows.DeleteAsync(metadata.PersistenceId, metadata.SequenceNr, cancellationToken);

    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken) =>
        _rows.DeleteAsync(persistenceId, Bounds(criteria), cancellationToken);

    protected override void PostStop()
    {
        // Closes the kept-open connections; nothing is in flight that a wait could save.
        _ = _rows.DisposeAsync().AsTask();
        base.PostStop();
    }

    private static SnapshotBounds Bounds(SnapshotSelectionCriteria criteria) => new(
        criteria.MaxSequenceNr, criteria.MaxTimeStamp.Ticks, criteria.MinSequenceNr, criteria.MinTimestamp?.Ticks ?? 0);

    /// <summary>As Akka.Persistence.Sql: the serializer bound to the type (the plugin's as fallback), its id and manifest.</summary>
    private SnapshotRow Serialize(SnapshotMetadata metadata, object snapshot)
    {
        var serializer = _serialization.FindSerializerForType(snapshot.GetType(), _settings.DefaultSerializer);
        var (bytes, manifest) = Akka.Serialization.Serialization.WithTransport(_serialization.System, (serializer, snapshot),
            static state => (state.serializer.ToBinary(state.snapshot), Akka.Serialization.Serialization.ManifestFor(state.serializer, state.snapshot)));
        return new SnapshotRow(metadata.PersistenceId, metadata.SequenceNr, metadata.Timestamp.Ticks, bytes, manifest, serializer.Identifier);
    }

    private object Deserialize(SnapshotRow row)
    {
        if (row.SerializerId is { } id) return _serialization.Deserialize(row.Payload, id, row.Manifest);
        // Rows of very old writers without a serializer id: the manifest is the CLR type name.
        var type = Type.GetType(row.Manifest, throwOnError: true)!;
        var serializer = _serialization.FindSerializerForType(type, _settings.DefaultSerializer);
        return Akka.Serialization.Serialization.WithTransport(_serialization.System, (serializer, row.Payload, type),
            static s => s.serializer.FromBinary(s.Payload, s.type));
    }
}
