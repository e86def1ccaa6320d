namespace Bank.Domain;

// Value equality, independent of how a window was built (by Remember, WithCapacity or restored from a snapshot)
// and of the log it shares: only the capacity and the entries in order count.
public sealed partial class IdempotencyWindow
{
    public bool Equals(IdempotencyWindow? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || Capacity != other.Capacity || _count != other._count) return false;
        // The same view of the same log (e.g. a state and its `with` copy) has the same entries.
        if (ReferenceEquals(_store, other._store) && _start == other._start && _end == other._end) return true;
        if (_count == 0) return true;
        // A single entry may be held directly by one window and in a log by the other (e.g. after WithCapacity).
        if (_count == 1) return Newest.Equals(other.Newest);

        // Two or more entries: both have a log.
        var log = (IdempotencyLog)_store!;
        var otherLog = (IdempotencyLog)other._store!;
        var mine = _start;
        var theirs = other._start;
        for (var compared = 0; compared < _count; compared++, mine++, theirs++)
        {
            mine = log.NextLive(mine, _end);
            theirs = otherLog.NextLive(theirs, other._end);
            if (!log.EntryAt(mine).Equals(otherLog.EntryAt(theirs))) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is IdempotencyWindow other && Equals(other);

    /// <summary>Consistent with <see cref="Equals(IdempotencyWindow?)"/>: equal windows have the same newest entry.</summary>
    public override int GetHashCode() => HashCode.Combine(Capacity, _count, _count == 0 ? Guid.Empty : Newest.CommandId);
}
