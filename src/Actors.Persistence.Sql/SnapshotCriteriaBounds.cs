using Actors.Persistence.Snapshots;

namespace Actors.Persistence.Sql;

/// <summary>Snapshot selection criteria as inclusive bounds on the stored columns (sequence_nr, created in unix ms).</summary>
internal readonly record struct SnapshotCriteriaBounds(long MinSequenceNr, long MaxSequenceNr, long MinCreated, long MaxCreated)
{
    public static SnapshotCriteriaBounds From(SnapshotSelectionCriteria criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        return new SnapshotCriteriaBounds(
            criteria.MinSequenceNr,
            criteria.MaxSequenceNr,
            criteria.MinTimestamp is { } min ? UnixTime.ToMillis(min) : long.MinValue,
            criteria.MaxTimestamp is { } max ? UnixTime.ToMillis(max) : long.MaxValue);
    }
}
