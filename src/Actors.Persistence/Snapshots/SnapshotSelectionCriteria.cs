namespace Actors.Persistence.Snapshots;

/// <summary>Which snapshots a load or delete considers: sequence number and timestamp within the bounds (inclusive).</summary>
public sealed record SnapshotSelectionCriteria(
    long MaxSequenceNr = long.MaxValue,
    DateTimeOffset? MaxTimestamp = null,
    long MinSequenceNr = 0,
    DateTimeOffset? MinTimestamp = null)
{
    public static SnapshotSelectionCriteria Latest { get; } = new();

    /// <summary>Selects nothing: recovery replays every event.</summary>
    public static SnapshotSelectionCriteria None { get; } = new(MaxSequenceNr: 0, MinSequenceNr: 1);

    public bool Matches(SnapshotMetadata metadata) =>
        metadata.SequenceNr <= MaxSequenceNr
        && metadata.SequenceNr >= MinSequenceNr
        && (MaxTimestamp is null || metadata.Timestamp <= MaxTimestamp)
        && (MinTimestamp is null || metadata.Timestamp >= MinTimestamp);
}
