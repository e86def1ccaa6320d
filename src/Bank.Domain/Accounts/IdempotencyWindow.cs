using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Bank.Domain;

/// <summary>
/// The last <see cref="Capacity"/> accepted commands, oldest first: a bounded FIFO in acceptance order. Immutable:
/// every change returns a new window and leaves this one as it was (old states stay valid). Remember, TryGet and
/// Contains are O(log n). Equality is by value: same capacity and same entries in the same order.
/// </summary>
/// <remarks>
/// Each remembered command gets the next position number; the entries are kept sorted by position, so the first one
/// is the oldest, and an index from command id to position finds an entry or the slot to free when its id is
/// remembered again. Positions only order the entries: they are not part of the value (equality, snapshots).
/// </remarks>
public sealed class IdempotencyWindow : IEquatable<IdempotencyWindow>
{
    public const int DefaultCapacity = 1000;

    private readonly ImmutableSortedDictionary<long, ProcessedCommand> _byPosition;
    private readonly ImmutableDictionary<Guid, long> _positionOf;
    private readonly long _nextPosition;

    private IdempotencyWindow(
        int capacity, ImmutableSortedDictionary<long, ProcessedCommand> byPosition, ImmutableDictionary<Guid, long> positionOf, long nextPosition)
    {
        Capacity = capacity;
        _byPosition = byPosition;
        _positionOf = positionOf;
        _nextPosition = nextPosition;
    }

    /// <summary>
    /// Restores a window (e.g. from a snapshot). <paramref name="entries"/> are oldest first, at most
    /// <paramref name="capacity"/> of them, with distinct command ids.
    /// </summary>
    public IdempotencyWindow(int capacity, IReadOnlyList<ProcessedCommand> entries)
    {
        ValidateCapacity(capacity);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count > capacity)
            throw new ArgumentException($"An idempotency window of capacity {capacity} cannot hold {entries.Count} entries.", nameof(entries));

        var byPosition = ImmutableSortedDictionary.CreateBuilder<long, ProcessedCommand>();
        var positionOf = ImmutableDictionary.CreateBuilder<Guid, long>();
        for (var position = 0; position < entries.Count; position++)
        {
            var entry = entries[position];
            ArgumentNullException.ThrowIfNull(entry, nameof(entries));
            if (!positionOf.TryAdd(entry.CommandId, position))
                throw new ArgumentException($"Command {entry.CommandId} appears twice in the idempotency window.", nameof(entries));
            byPosition.Add(position, entry);
        }

        Capacity = capacity;
        _byPosition = byPosition.ToImmutable();
        _positionOf = positionOf.ToImmutable();
        _nextPosition = entries.Count;
    }

    public static IdempotencyWindow Empty(int capacity = DefaultCapacity)
    {
        ValidateCapacity(capacity);
        return new IdempotencyWindow(capacity, ImmutableSortedDictionary<long, ProcessedCommand>.Empty, ImmutableDictionary<Guid, long>.Empty, 0);
    }

    /// <summary>How many command ids are remembered at most.</summary>
    public int Capacity { get; }

    public int Count => _byPosition.Count;

    /// <summary>The remembered commands, oldest first (what a snapshot stores). A new list on each call.</summary>
    public IReadOnlyList<ProcessedCommand> Entries => [.. _byPosition.Values];

    public bool Contains(Guid commandId) => _positionOf.ContainsKey(commandId);

    public bool TryGet(Guid commandId, [MaybeNullWhen(false)] out ProcessedCommand entry)
    {
        if (_positionOf.TryGetValue(commandId, out var position))
        {
            entry = _byPosition[position];
            return true;
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

        var byPosition = _byPosition;
        if (_positionOf.TryGetValue(entry.CommandId, out var previous))
            byPosition = byPosition.Remove(previous);
        byPosition = byPosition.Add(_nextPosition, entry);
        var positionOf = _positionOf.SetItem(entry.CommandId, _nextPosition);

        (byPosition, positionOf) = EvictOldest(byPosition, positionOf, Capacity);
        return new IdempotencyWindow(Capacity, byPosition, positionOf, _nextPosition + 1);
    }

    /// <summary>The same entries under another capacity; when shrinking, the oldest entries are evicted.</summary>
    public IdempotencyWindow WithCapacity(int capacity)
    {
        ValidateCapacity(capacity);
        var (byPosition, positionOf) = EvictOldest(_byPosition, _positionOf, capacity);
        return new IdempotencyWindow(capacity, byPosition, positionOf, _nextPosition);
    }

    public bool Equals(IdempotencyWindow? other) =>
        ReferenceEquals(this, other)
        || other is not null
           && Capacity == other.Capacity
           && Count == other.Count
           && _byPosition.Values.SequenceEqual(other._byPosition.Values);

    public override bool Equals(object? obj) => obj is IdempotencyWindow other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Capacity);
        foreach (var entry in _byPosition.Values)
            hash.Add(entry);
        return hash.ToHashCode();
    }

    public override string ToString() => $"IdempotencyWindow {{ Capacity = {Capacity}, Count = {Count} }}";

    private static (ImmutableSortedDictionary<long, ProcessedCommand>, ImmutableDictionary<Guid, long>) EvictOldest(
        ImmutableSortedDictionary<long, ProcessedCommand> byPosition, ImmutableDictionary<Guid, long> positionOf, int capacity)
    {
        while (byPosition.Count > capacity)
        {
            var (position, oldest) = byPosition.First();
            byPosition = byPosition.Remove(position);
            positionOf = positionOf.Remove(oldest.CommandId);
        }
        return (byPosition, positionOf);
    }

    private static void ValidateCapacity(int capacity) => ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
}
