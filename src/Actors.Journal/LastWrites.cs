using System.Collections.Concurrent;

namespace Actors.Journal;

/// <summary>
/// For each persistence id this process's group-commit journal wrote lately, the sequence number and ordering of its last
/// committed event (see <see cref="JournalCommits.RememberLastWrites"/>). Bounded: past its capacity it forgets
/// everything and starts again, so a miss only means asking the database.
/// </summary>
public sealed class LastWrites
{
    public const int DefaultCapacity = 100_000;

    private readonly ConcurrentDictionary<string, (long SequenceNr, long Ordering)> _last = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private int _count;

    public LastWrites(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>The ordering of the event <paramref name="sequenceNr"/> of <paramref name="persistenceId"/>, if it was the last one written here.</summary>
    public bool TryGetOrdering(string persistenceId, long sequenceNr, out long ordering)
    {
        if (_last.TryGetValue(persistenceId, out var last) && last.SequenceNr == sequenceNr)
        {
            ordering = last.Ordering;
            return true;
        }
        ordering = 0;
        return false;
    }

    internal void Record(string persistenceId, long sequenceNr, long ordering)
    {
        if (_last.TryAdd(persistenceId, (sequenceNr, ordering)))
        {
            if (Interlocked.Increment(ref _count) <= _capacity) return;
            // Past the bound: forget all at once (cheaper than evicting one by one; a forgotten write is read from the database).
            _last.Clear();
            Interlocked.Exchange(ref _count, 0);
            return;
        }
        // One persistence id's writes are committed in order: a later commit carries the higher sequence number.
        _last.AddOrUpdate(persistenceId, static (_, written) => written,
            static (_, previous, written) => previous.SequenceNr > written.SequenceNr ? previous : written, (SequenceNr: sequenceNr, Ordering: ordering));
    }
}
