using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Bank.Domain;

/// <summary>
/// A bounded FIFO of the last <see cref="Capacity"/> accepted commands, as a persistent (immutable) structure:
/// every change returns a new window sharing most of its nodes with the old one. An empty window costs one small
/// object (the empty queue and dictionary are shared singletons), so idle accounts stay cheap.
/// Equality is by value: same capacity and same entries in the same order.
/// </summary>
public sealed class IdempotencyWindow : IEquatable<IdempotencyWindow>
{
    public const int DefaultCapacity = 1000;

    private readonly ImmutableQueue<Guid> _order;                        // oldest first
    private readonly ImmutableDictionary<Guid, ProcessedCommand> _byId;
    private readonly Guid _newest;

    private IdempotencyWindow(int capacity, ImmutableQueue<Guid> order, ImmutableDictionary<Guid, ProcessedCommand> byId, Guid newest)
    {
        Capacity = capacity;
        _order = order;
        _byId = byId;
        _newest = newest;
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

        var order = ImmutableQueue<Guid>.Empty;
        var byId = ImmutableDictionary.CreateBuilder<Guid, ProcessedCommand>();
        foreach (var entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(entries));
            if (!byId.TryAdd(entry.CommandId, entry))
                throw new ArgumentException($"Command {entry.CommandId} appears twice in the idempotency window.", nameof(entries));
            order = order.Enqueue(entry.CommandId);
        }

        Capacity = capacity;
        _order = order;
        _byId = byId.ToImmutable();
        _newest = entries.Count == 0 ? Guid.Empty : entries[^1].CommandId;
    }

    public static IdempotencyWindow Empty(int capacity = DefaultCapacity)
    {
        ValidateCapacity(capacity);
        return new IdempotencyWindow(capacity, ImmutableQueue<Guid>.Empty, ImmutableDictionary<Guid, ProcessedCommand>.Empty, Guid.Empty);
    }

    /// <summary>How many command ids are remembered at most.</summary>
    public int Capacity { get; }

    public int Count => _byId.Count;

    /// <summary>The remembered commands, oldest first (what a snapshot stores). Allocates a new list on each call.</summary>
    public IReadOnlyList<ProcessedCommand> Entries => _order.Select(id => _byId[id]).ToArray();

    public bool Contains(Guid commandId) => _byId.ContainsKey(commandId);

    public bool TryGet(Guid commandId, [MaybeNullWhen(false)] out ProcessedCommand entry) => _byId.TryGetValue(commandId, out entry);

    /// <summary>
    /// Remembers <paramref name="entry"/> as the newest command. If its id is already the newest (a command that
    /// produced several events) the entry is updated in place; if it is remembered further back (an id reused after
    /// it had been evicted by a smaller window) it moves to the newest position. Otherwise it is appended and the
    /// oldest entry is evicted when the window is full.
    /// </summary>
    public IdempotencyWindow Remember(ProcessedCommand entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var id = entry.CommandId;

        if (_byId.ContainsKey(id))
        {
            var order = id == _newest ? _order : ImmutableQueue.CreateRange(_order.Where(x => x != id)).Enqueue(id);
            return new IdempotencyWindow(Capacity, order, _byId.SetItem(id, entry), id);
        }

        var grownOrder = _order.Enqueue(id);
        var grownById = _byId.Add(id, entry);
        if (grownById.Count > Capacity)
        {
            grownOrder = grownOrder.Dequeue(out var oldest);
            grownById = grownById.Remove(oldest);
        }
        return new IdempotencyWindow(Capacity, grownOrder, grownById, id);
    }

    /// <summary>The same entries under another capacity; when shrinking, the oldest entries are evicted.</summary>
    public IdempotencyWindow WithCapacity(int capacity)
    {
        ValidateCapacity(capacity);
        var order = _order;
        var byId = _byId;
        while (byId.Count > capacity)
        {
            order = order.Dequeue(out var oldest);
            byId = byId.Remove(oldest);
        }
        return new IdempotencyWindow(capacity, order, byId, byId.Count == 0 ? Guid.Empty : _newest);
    }

    public bool Equals(IdempotencyWindow? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || Capacity != other.Capacity || Count != other.Count) return false;

        var mine = _order.GetEnumerator();
        var theirs = other._order.GetEnumerator();
        while (mine.MoveNext() && theirs.MoveNext())
        {
            if (mine.Current != theirs.Current || !_byId[mine.Current].Equals(other._byId[theirs.Current])) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is IdempotencyWindow other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Capacity, Count, _newest);

    public override string ToString() => $"IdempotencyWindow {{ Capacity = {Capacity}, Count = {Count} }}";

    private static void ValidateCapacity(int capacity) => ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
}
