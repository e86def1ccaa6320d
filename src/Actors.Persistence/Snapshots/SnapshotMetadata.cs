namespace Actors.Persistence.Snapshots;

public sealed record SnapshotMetadata(string PersistenceId, long SequenceNr, DateTimeOffset Timestamp);

public sealed record SelectedSnapshot(SnapshotMetadata Metadata, object Snapshot);
