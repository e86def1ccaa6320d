using System.Numerics;

namespace Bank.Domain;

/// <summary>
/// The append-only storage behind <see cref="IdempotencyWindow"/>: remembered commands in the order they were
/// remembered, shared by every window version cut from it. A version sees only the slots below its own end, and the
/// slots below a published version's end are never written again except for <see cref="Slot.SupersededAt"/>, whose
/// every possible value reads the same to that version (see <see cref="IsLive"/>). So versions stay immutable while
/// the newest one appends in place: a Remember costs one slot and a small version object, plus now and then a copy
/// of the live entries into a log twice their size (amortized O(1)).
/// </summary>
/// <remarks>
/// Thread safety without locks: an append first claims its slot by a compare-and-swap of the written count
/// (<see cref="TryClaim"/>), so of two versions at the same end only one appends here and the other copies
/// (<see cref="CopyLive"/>). The claimed slot is written before the new version is returned, and the index cell that
/// points at it is written last with release semantics, so a reader of an older version that reaches the slot
/// through the index (acquire) sees it complete.
/// </remarks>
internal sealed class IdempotencyLog
{
    /// <summary>
    /// Logs up to this length have no hash index: a backward scan of at most this many slots is as fast as a probe,
    /// and idle accounts (one or two commands) keep just a tiny slot array.
    /// </summary>
    public const int LinearSearchLimit = 16;

    /// <summary>Smallest log. (A window creates a log only for its second entry: a one-entry window holds the entry itself.)</summary>
    private const int MinLength = 2;

    private const int NotSuperseded = int.MaxValue;

    private struct Slot
    {
        public ProcessedCommand Entry;

        /// <summary>The previous slot with the same command id, or -1 (followed only through the index).</summary>
        public int Previous;

        /// <summary>
        /// The next slot with the same command id (which replaces this one), or <see cref="NotSuperseded"/>. Set once,
        /// possibly while another thread reads an older version: any value it can see is &gt;= that version's end.
        /// </summary>
        public int SupersededAt;
    }

    private readonly Slot[] _slots;

    /// <summary>
    /// Open addressing, command id to (latest position + 1), 0 = empty; null for short logs. Never deleted from and at
    /// most half full (one cell per distinct id, at most one id per slot), so probes stay short and always end.
    /// </summary>
    private readonly int[]? _index;

    private readonly int _indexShift;

    /// <summary>Slots claimed so far. Only grows; a version whose end equals it may append.</summary>
    private int _written;

    private IdempotencyLog(int length)
    {
        _slots = new Slot[length];
        if (length > LinearSearchLimit)
        {
            var cells = (int)BitOperations.RoundUpToPowerOf2((uint)length * 2);
            _index = new int[cells];
            _indexShift = 32 - BitOperations.Log2((uint)cells);
        }
    }

    /// <summary>A log with room for <paramref name="count"/> entries and as many appends again (amortized O(1) copies).</summary>
    public static IdempotencyLog ForCount(int count) => new(Math.Max(MinLength, 2 * count));

    public int Length => _slots.Length;

    public ProcessedCommand EntryAt(int position) => _slots[position].Entry;

    /// <summary>Whether the slot still holds its id's latest entry for a version ending at <paramref name="end"/>.</summary>
    public bool IsLive(int position, int end) => _slots[position].SupersededAt >= end;

    /// <summary>The first live slot at or after <paramref name="position"/> for a version ending at <paramref name="end"/>.</summary>
    public int NextLive(int position, int end)
    {
        while (position < end && !IsLive(position, end)) position++;
        return position;
    }

    /// <summary>
    /// Claims slot <paramref name="position"/> for a version ending there. Fails when the log is full or another
    /// version already appended at that position (then the caller copies).
    /// </summary>
    public bool TryClaim(int position) =>
        position < _slots.Length && Interlocked.CompareExchange(ref _written, position + 1, position) == position;

    /// <summary>
    /// The latest slot holding <paramref name="commandId"/> in the version [<paramref name="start"/>,
    /// <paramref name="end"/>), or -1. The latest slot below the end is never superseded within the version, so it
    /// is the entry exactly when it has not been evicted (is at or after the start).
    /// </summary>
    public int Find(Guid commandId, int start, int end)
    {
        if (_index is null)
        {
            for (var position = end - 1; position >= start; position--)
                if (_slots[position].Entry.CommandId == commandId) return position;
            return -1;
        }

        var cell = Probe(commandId);
        if (cell < 0) return -1;
        // The index holds the log's latest slot for the id; newer versions may have appended past our end.
        var latest = Volatile.Read(ref _index[cell]) - 1;
        while (latest >= end) latest = _slots[latest].Previous;
        return latest >= start ? latest : -1;
    }

    /// <summary>
    /// Writes <paramref name="entry"/> into the claimed slot <paramref name="position"/>. <paramref name="live"/> is the
    /// version's live slot with the same id (from <see cref="Find"/>) or -1; it becomes superseded.
    /// </summary>
    public void Write(int position, ProcessedCommand entry, int live)
    {
        if (_index is null)
        {
            // Without an index nobody follows Previous; only the live slot of the appending version needs marking
            // (an evicted one is below the start of every version that can see this new slot).
            _slots[position] = new Slot { Entry = entry, Previous = live, SupersededAt = NotSuperseded };
            if (live >= 0) _slots[live].SupersededAt = position;
            return;
        }

        // With an index the link must reach even an evicted slot: an older version may still hold it as live.
        var cell = Probe(entry.CommandId);
        var previous = cell >= 0 ? _index[cell] - 1 : -1;
        _slots[position] = new Slot { Entry = entry, Previous = previous, SupersededAt = NotSuperseded };
        if (previous >= 0) _slots[previous].SupersededAt = position;
        Volatile.Write(ref _index[cell >= 0 ? cell : ~cell], position + 1);
    }

    /// <summary>
    /// A new, unshared log holding the live entries of the version [<paramref name="start"/>, <paramref name="end"/>)
    /// of <paramref name="source"/> (its <paramref name="count"/> live entries) from position 0, sized for as many
    /// appends again, with the slot after them already claimed for the caller's append.
    /// </summary>
    public static IdempotencyLog CopyLive(IdempotencyLog? source, int start, int end, int count)
    {
        var copy = ForCount(count + 1);
        var written = 0;
        for (var position = start; source is not null && position < end; position++)
        {
            if (source.IsLive(position, end))
                copy.Write(written++, source._slots[position].Entry, live: -1);   // distinct ids: nothing to supersede
        }
        copy._written = written + 1;   // not shared yet: no CAS needed to claim the caller's slot
        return copy;
    }

    /// <summary>
    /// A new, unshared log for a window growing from one entry to two: <paramref name="first"/> at position 0 and
    /// position 1 already claimed for the caller's append.
    /// </summary>
    public static IdempotencyLog Starting(ProcessedCommand first)
    {
        var log = ForCount(2);
        log.Write(0, first, live: -1);
        log._written = 2;   // not shared yet: no CAS needed to claim the caller's slot
        return log;
    }

    /// <summary>Marks the first <paramref name="count"/> slots of a log not yet shared as written.</summary>
    public void SetWritten(int count) => _written = count;

    /// <summary>The index cell holding <paramref name="commandId"/>, or the complement of the empty cell where it would go.</summary>
    private int Probe(Guid commandId)
    {
        var index = _index!;
        var mask = index.Length - 1;
        // Fibonacci hashing spreads ids whose hash codes differ only in high or low bits (sequential Guids).
        var cell = (int)(((uint)commandId.GetHashCode() * 2654435769u) >> _indexShift) & mask;
        while (true)
        {
            var occupant = Volatile.Read(ref index[cell]);
            if (occupant == 0) return ~cell;
            if (_slots[occupant - 1].Entry.CommandId == commandId) return cell;
            cell = (cell + 1) & mask;
        }
    }
}
