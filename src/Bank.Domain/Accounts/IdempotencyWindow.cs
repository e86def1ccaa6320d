using System.Diagnostics.CodeAnalysis;

namespace Bank.Domain;

/// <summary>
/// A bounded FIFO of the last <see cref="Capacity"/> accepted commands, observably immutable: every change returns a
/// new window and leaves this one as it was. Evolve remembers one command per event and Decide looks one up per
/// command, so both are amortized O(1) with a small allocation: a window is a view [start, end) of an append-only
/// <see cref="IdempotencyLog"/> shared with its ancestors and descendants. The newest version appends in place; an
/// older version (time travel, a second branch) or a full log copies its live entries into a fresh log twice their
/// size. An empty window holds no log, a window with one command holds that entry itself (the log is created only by
/// the Remember that makes a second entry), and a window with a few commands a tiny log, so idle accounts stay cheap.
/// Equality is by value: same capacity and same entries in the same order.
/// </summary>
public sealed partial class IdempotencyWindow : IEquatable<IdempotencyWindow>
{
    public const int DefaultCapacity = 1000;

    private static readonly IdempotencyWindow DefaultEmpty = new(DefaultCapacity, store: null, start: 0, end: 0, count: 0);

    // _store is null (no entries), the only entry itself (a ProcessedCommand: one field for both cases keeps the
    // idle one-command window as small as an empty one), or an IdempotencyLog. With a log, slots in [_start, _end)
    // are this version's; those whose id is remembered again before _end are superseded, the others (exactly _count
    // of them) are its entries, oldest first. _start is always the oldest entry (or _end when empty), and the newest
    // entry is always at _end - 1. A single entry has _start = 0, _end = 1.
    private readonly object? _store;
    private readonly int _start;
    private readonly int _end;
    private readonly int _count;

    private IdempotencyWindow(int capacity, object? store, int start, int end, int count)
    {
        Capacity = capacity;
        _store = store;
        _start = start;
        _end = end;
        _count = count;
    }

    /// <summary>A window holding just <paramref name="entry"/>, without a log.</summary>
    private static IdempotencyWindow Single(int capacity, ProcessedCommand entry) => new(capacity, entry, start: 0, end: 1, count: 1);

    private IdempotencyLog? Log => _store as IdempotencyLog;

    /// <summary>The only entry of a one-entry window of the default capacity, which <see cref="OfOnly"/> rebuilds as an equal window.</summary>
    internal ProcessedCommand? OnlyEntryAtDefaultCapacity => Capacity == DefaultCapacity ? _store as ProcessedCommand : null;

    /// <summary>A window of the default capacity holding just <paramref name="entry"/>.</summary>
    internal static IdempotencyWindow OfOnly(ProcessedCommand entry) => Single(DefaultCapacity, entry);

    /// <summary>The newest entry; only when not empty.</summary>
    private ProcessedCommand Newest => _store as ProcessedCommand ?? ((IdempotencyLog)_store!).EntryAt(_end - 1);

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

        Capacity = capacity;
        if (entries.Count == 0) return;
        if (entries.Count == 1)
        {
            ArgumentNullException.ThrowIfNull(entries[0], nameof(entries));
            _store = entries[0];
            _end = _count = 1;
            return;
        }

        // Room for as many appends again: replaying the events after a snapshot usually needs no copy.
        var log = IdempotencyLog.ForCount(entries.Count);
        for (var position = 0; position < entries.Count; position++)
        {
            var entry = entries[position];
            ArgumentNullException.ThrowIfNull(entry, nameof(entries));
            if (log.Find(entry.CommandId, 0, position) >= 0)
                throw new ArgumentException($"Command {entry.CommandId} appears twice in the idempotency window.", nameof(entries));
            log.Write(position, entry, live: -1);
        }
        log.SetWritten(entries.Count);

        _store = log;
        _end = _count = entries.Count;
    }

    public static IdempotencyWindow Empty(int capacity = DefaultCapacity)
    {
        ValidateCapacity(capacity);
        return capacity == DefaultCapacity ? DefaultEmpty : new IdempotencyWindow(capacity, store: null, start: 0, end: 0, count: 0);
    }

    /// <summary>How many command ids are remembered at most.</summary>
    public int Capacity { get; }

    public int Count => _count;

    /// <summary>The remembered commands, oldest first (what a snapshot stores). Allocates a new list on each call.</summary>
    public IReadOnlyList<ProcessedCommand> Entries
    {
        get
        {
            if (_store is ProcessedCommand single) return [single];
            var entries = new ProcessedCommand[_count];
            var log = Log;
            var next = 0;
            for (var position = _start; next < entries.Length; position++)
            {
                if (log!.IsLive(position, _end)) entries[next++] = log.EntryAt(position);
            }
            return entries;
        }
    }

    public bool Contains(Guid commandId) => TryGet(commandId, out _);

    public bool TryGet(Guid commandId, [MaybeNullWhen(false)] out ProcessedCommand entry)
    {
        entry = _store switch
        {
            ProcessedCommand single => single.CommandId == commandId ? single : null,
            IdempotencyLog log when _count > 0 && log.Find(commandId, _start, _end) is var position and >= 0 => log.EntryAt(position),
            _ => null,
        };
        return entry is not null;
    }

    /// <summary>
    /// Remembers <paramref name="entry"/> as the newest command. If its id is already the newest (a command that
    /// produced several events) the entry is updated; if it is remembered further back (an id reused after it had
    /// been evicted by a smaller window) it moves to the newest position. Otherwise it is appended and the oldest
    /// entry is evicted when the window is full.
    /// </summary>
    public IdempotencyWindow Remember(ProcessedCommand entry)
    {
        ArgumentNullException.ThrowIfNull(entry);

        // A result with one entry needs no log: the first command, an update of the only one, or any command remembered
        // by a window of capacity 1.
        if (_count == 0 || (_count == 1 && (Capacity == 1 || Newest.CommandId == entry.CommandId)))
            return Single(Capacity, entry);

        if (_store is ProcessedCommand only)
        {
            // The second entry (a distinct id, see above): now the log is worth its slots.
            var started = IdempotencyLog.Starting(only);
            started.Write(1, entry, live: -1);
            return new IdempotencyWindow(Capacity, started, start: 0, end: 2, count: 2);
        }

        var log = (IdempotencyLog)_store!;
        var start = _start;
        var end = _end;
        var live = Find(entry.CommandId);

        // Both cases (update of the newest, move of an older one) are the same for an append-only log: a new slot at
        // the end supersedes the old one, and the entry is newest. Only this version's own end may be appended to.
        if (!log.TryClaim(end))
        {
            log = IdempotencyLog.CopyLive(log, start, end, _count);
            live = live >= 0 ? log.Find(entry.CommandId, 0, _count) : -1;
            start = 0;
            end = _count;
        }
        log.Write(end, entry, live);
        end++;

        var count = _count;
        if (live < 0 && ++count > Capacity)
        {
            count--;
            start = log.NextLive(start + 1, end);        // evict the oldest
        }
        else if (live == start)
        {
            start = log.NextLive(start + 1, end);        // the oldest moved to the newest position
        }
        return new IdempotencyWindow(Capacity, log, start, end, count);
    }

    /// <summary>The same entries under another capacity; when shrinking, the oldest entries are evicted.</summary>
    public IdempotencyWindow WithCapacity(int capacity)
    {
        ValidateCapacity(capacity);
        if (_count == 0) return Empty(capacity);
        if (_count == 1 || capacity == 1) return Single(capacity, Newest);

        // The log is shared as is: the new version only starts later when it evicts.
        var log = (IdempotencyLog)_store!;
        var start = _start;
        for (var count = _count; count > capacity; count--)
            start = log.NextLive(start + 1, _end);
        return new IdempotencyWindow(capacity, log, start, _end, Math.Min(_count, capacity));
    }

    public override string ToString() => $"IdempotencyWindow {{ Capacity = {Capacity}, Count = {Count} }}";

    /// <summary>The slot of <paramref name="commandId"/> in this version's log, or -1; only for a window with a log.</summary>
    private int Find(Guid commandId) => ((IdempotencyLog)_store!).Find(commandId, _start, _end);

    private static void ValidateCapacity(int capacity) => ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
}
