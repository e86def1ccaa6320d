using System.Diagnostics.CodeAnalysis;

namespace Bank.Domain;

/// <summary>
/// The last <see cref="Capacity"/> accepted commands, oldest first: a bounded FIFO in acceptance order. Immutable:
/// every change returns a new window and leaves this one as it was (old states stay valid). Equality is by value: same
/// capacity and same entries in the same order.
/// </summary>
/// <remarks>
/// Every event replayed or persisted remembers one command, so Remember is on the hot path of recovery: it copies only
/// a short tail. The entries live in full segments of <see cref="SegmentSize"/> (arrays never changed once made,
/// shared by every window built on them) followed by a tail of fewer than <see cref="SegmentSize"/> entries, which is
/// copied when an entry is added. A full tail becomes a segment. The oldest entries are evicted by skipping them at the
/// start of the first segment, and the first segment is dropped once all of it is skipped. Looking a command up scans
/// the segments' arrays of id hash codes (a thousand ints, contiguous), which is cheaper than keeping a hash index up to date.
/// </remarks>
public sealed class IdempotencyWindow : IEquatable<IdempotencyWindow>
{
    public const int DefaultCapacity = 1000;

    private const int SegmentSize = 32;

    private static readonly Segment[] NoSegments = [];
    private static readonly ProcessedCommand[] NoEntries = [];

    private readonly Segment[] _segments;
    private readonly int _skipped;
    private readonly ProcessedCommand[] _tail;

    private IdempotencyWindow(int capacity, Segment[] segments, int skipped, ProcessedCommand[] tail)
    {
        Capacity = capacity;
        _segments = segments;
        _skipped = skipped;
        _tail = tail;
        Count = segments.Length * SegmentSize - skipped + tail.Length;
    }

    /// <summary>
    /// Restores a window (e.g. from a snapshot). <paramref name="entries"/> are oldest first, at most
    /// <paramref name="capacity"/> of them, with distinct command ids.
    /// </summary>
    public IdempotencyWindow(int capacity, IReadOnlyList<ProcessedCommand> entries)
        : this(capacity, Packed(Validated(capacity, entries)))
    {
    }

    private IdempotencyWindow(int capacity, (Segment[] Segments, ProcessedCommand[] Tail) packed)
        : this(capacity, packed.Segments, skipped: 0, packed.Tail)
    {
    }

    public static IdempotencyWindow Empty(int capacity = DefaultCapacity)
    {
        ValidateCapacity(capacity);
        return new IdempotencyWindow(capacity, NoSegments, 0, NoEntries);
    }

    /// <summary>How many command ids are remembered at most.</summary>
    public int Capacity { get; }

    public int Count { get; }

    /// <summary>The remembered commands, oldest first (what a snapshot stores). A new list on each call.</summary>
    public IReadOnlyList<ProcessedCommand> Entries => [.. OldestFirst()];

    public bool Contains(Guid commandId) => TryGet(commandId, out _);

    public bool TryGet(Guid commandId, [MaybeNullWhen(false)] out ProcessedCommand entry)
    {
        var at = IndexInTail(commandId);
        if (at >= 0)
        {
            entry = _tail[at];
            return true;
        }
        return TryGetInSegments(commandId, out entry);
    }

    private bool TryGetInSegments(Guid commandId, [MaybeNullWhen(false)] out ProcessedCommand entry)
    {
        var hash = commandId.GetHashCode();
        for (var s = _segments.Length - 1; s >= 0; s--)
        {
            var segment = _segments[s];
            for (var i = s == 0 ? _skipped : 0; i < SegmentSize; i++)
            {
                var found = segment.Hashes.AsSpan(i).IndexOf(hash);
                if (found < 0) break;
                i += found;
                if (segment.Entries[i].CommandId == commandId)
                {
                    entry = segment.Entries[i];
                    return true;
                }
            }
        }
        entry = null;
        return false;
    }

    /// <summary>
    /// Remembers <paramref name="entry"/> as the newest command. An id already remembered is replaced and becomes the
    /// newest: the newest again is a command that produced several events (an open with an initial deposit), an
    /// older one an id reused after a smaller window had evicted it. Otherwise the entry is added and, when the
    /// window is full, the oldest entry is evicted.
    /// </summary>
    public IdempotencyWindow Remember(ProcessedCommand entry)
    {
        ArgumentNullException.ThrowIfNull(entry);

        var inTail = IndexInTail(entry.CommandId);
        if (inTail >= 0)
            return new IdempotencyWindow(Capacity, _segments, _skipped, [.. _tail[..inTail], .. _tail[(inTail + 1)..], entry]);
        if (TryGetInSegments(entry.CommandId, out var older))
            return new IdempotencyWindow(Capacity, Packed([.. OldestFirst().Where(e => !ReferenceEquals(e, older)), entry]));

        var added = _tail.Length + 1 == SegmentSize
            ? new IdempotencyWindow(Capacity, [.. _segments, new Segment([.. _tail, entry])], _skipped, NoEntries)
            : new IdempotencyWindow(Capacity, _segments, _skipped, [.. _tail, entry]);
        return added.Count > Capacity ? added.WithoutOldest() : added;
    }

    /// <summary>The same entries under another capacity; when shrinking, the oldest entries are evicted.</summary>
    public IdempotencyWindow WithCapacity(int capacity)
    {
        ValidateCapacity(capacity);
        return Count <= capacity
            ? new IdempotencyWindow(capacity, _segments, _skipped, _tail)
            : new IdempotencyWindow(capacity, Packed([.. OldestFirst().Skip(Count - capacity)]));
    }

    public bool Equals(IdempotencyWindow? other) =>
        ReferenceEquals(this, other)
        || other is not null
           && Capacity == other.Capacity
           && Count == other.Count
           && OldestFirst().SequenceEqual(other.OldestFirst());

    public override bool Equals(object? obj) => obj is IdempotencyWindow other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Capacity);
        foreach (var entry in OldestFirst())
            hash.Add(entry);
        return hash.ToHashCode();
    }

    public override string ToString() => $"IdempotencyWindow {{ Capacity = {Capacity}, Count = {Count} }}";

    private IdempotencyWindow WithoutOldest()
    {
        if (_segments.Length == 0)
            return new IdempotencyWindow(Capacity, NoSegments, 0, _tail[1..]);
        return _skipped + 1 == SegmentSize
            ? new IdempotencyWindow(Capacity, _segments[1..], 0, _tail)
            : new IdempotencyWindow(Capacity, _segments, _skipped + 1, _tail);
    }

    private IEnumerable<ProcessedCommand> OldestFirst()
    {
        for (var s = 0; s < _segments.Length; s++)
        {
            var entries = _segments[s].Entries;
            for (var i = s == 0 ? _skipped : 0; i < entries.Length; i++)
                yield return entries[i];
        }
        foreach (var entry in _tail)
            yield return entry;
    }

    private int IndexInTail(Guid commandId)
    {
        for (var i = 0; i < _tail.Length; i++)
            if (_tail[i].CommandId == commandId)
                return i;
        return -1;
    }

    /// <summary><paramref name="entries"/> (oldest first) as full segments and the tail left over.</summary>
    private static (Segment[] Segments, ProcessedCommand[] Tail) Packed(ProcessedCommand[] entries)
    {
        var segments = new Segment[entries.Length / SegmentSize];
        for (var s = 0; s < segments.Length; s++)
            segments[s] = new Segment(entries[(s * SegmentSize)..((s + 1) * SegmentSize)]);
        return (segments, entries[(segments.Length * SegmentSize)..]);
    }

    private static ProcessedCommand[] Validated(int capacity, IReadOnlyList<ProcessedCommand> entries)
    {
        ValidateCapacity(capacity);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count > capacity)
            throw new ArgumentException($"An idempotency window of capacity {capacity} cannot hold {entries.Count} entries.", nameof(entries));
        var seen = new HashSet<Guid>();
        foreach (var entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(entries));
            if (!seen.Add(entry.CommandId))
                throw new ArgumentException($"Command {entry.CommandId} appears twice in the idempotency window.", nameof(entries));
        }
        return [.. entries];
    }

    private static void ValidateCapacity(int capacity) => ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);

    /// <summary>
    /// <see cref="SegmentSize"/> entries, oldest first, and the hash codes of their command ids in the same order: a
    /// lookup scans the ints (vectorized, about ten times faster than comparing Guids) and compares the ids where they match.
    /// </summary>
    private sealed class Segment(ProcessedCommand[] entries)
    {
        public ProcessedCommand[] Entries { get; } = entries;
        public int[] Hashes { get; } = Array.ConvertAll(entries, e => e.CommandId.GetHashCode());
    }
}
