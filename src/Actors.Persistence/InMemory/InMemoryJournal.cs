using System.Runtime.CompilerServices;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;

namespace Actors.Persistence.InMemory;

/// <summary>
/// A journal that keeps serialized events in memory: for tests and for single-process demos.
/// Events are serialized on write (so an unserializable event is rejected exactly as by the SQL stores, and a
/// stored event cannot be changed afterwards by mutating the object that was persisted) and deserialized on read.
/// Semantics follow <see cref="IJournal"/>: a global ordering counter, the unique (persistence id, sequence number)
/// fence, each <see cref="AtomicWrite"/> all-or-nothing, and the highest sequence number kept after deletes.
/// It also carries hooks for actor tests: injected write/replay faults, a write delay and a write pause.
/// </summary>
public sealed class InMemoryJournal : IJournal
{
    private const int ReplayPageSize = 256;

    private readonly IEventSerializer _serializer;
    private readonly Lock _gate = new();

    // All guarded by _gate.
    private readonly Dictionary<string, EventStream> _streams = new(StringComparer.Ordinal);
    private readonly List<StoredEvent?> _byOrdering = []; // index = ordering - 1; null once deleted
    private readonly List<PendingFault> _writeFaults = [];
    private readonly List<PendingFault> _replayFaults = [];
    private TaskCompletionSource? _writesPaused;
    private TimeSpan _writeDelay;

    public InMemoryJournal(IEventSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        _serializer = serializer;
    }

    /// <summary>
    /// Raised after a <see cref="WriteAsync"/> call stored at least one write, outside any lock. The read side can
    /// use it to wake up instead of polling. Exceptions thrown by handlers are swallowed: they must not turn a
    /// stored write into a failed one.
    /// </summary>
    public event Action? EventsWritten;

    /// <summary>The global ordering of the last stored event; 0 when nothing was ever stored.</summary>
    public long HighestOrdering
    {
        get { lock (_gate) return _byOrdering.Count; }
    }

    /// <summary>
    /// Artificial delay before every <see cref="WriteAsync"/> call stores anything (tests of stashing while a
    /// persist is in flight). <see cref="TimeSpan.Zero"/> (the default) means none.
    /// </summary>
    public TimeSpan WriteDelay
    {
        get { lock (_gate) return _writeDelay; }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            lock (_gate) _writeDelay = value;
        }
    }

    // ---------------------------------------------------------------- fault injection and pacing

    /// <summary>
    /// Makes the next atomic write (of <paramref name="persistenceId"/>, or of anyone when null) fail with
    /// <see cref="WriteResult.Failed"/>; nothing of it is stored. Calls queue up: each affects one further write.
    /// </summary>
    public void FailNextWrite(Exception? cause = null, string? persistenceId = null)
    {
        var fault = new PendingFault(persistenceId, cause ?? new InvalidOperationException("Injected journal write failure."));
        lock (_gate) _writeFaults.Add(fault);
    }

    /// <summary>
    /// Makes the next atomic write (of <paramref name="persistenceId"/>, or of anyone when null) come back
    /// <see cref="WriteResult.Rejected"/>; nothing of it is stored. Calls queue up: each affects one further write.
    /// </summary>
    public void RejectNextWrite(Exception? cause = null, string? persistenceId = null)
    {
        var fault = new PendingFault(persistenceId, cause ?? new EventSerializationException("Injected journal write rejection."), Reject: true);
        lock (_gate) _writeFaults.Add(fault);
    }

    /// <summary>
    /// Makes the next <see cref="ReplayAsync"/> (of <paramref name="persistenceId"/>, or of anyone when null)
    /// throw <paramref name="cause"/> before it yields anything (recovery-failure tests).
    /// </summary>
    public void FailNextReplay(Exception? cause = null, string? persistenceId = null)
    {
        var fault = new PendingFault(persistenceId, cause ?? new InvalidOperationException("Injected journal replay failure."));
        lock (_gate) _replayFaults.Add(fault);
    }

    /// <summary>Drops all injected faults that have not fired yet.</summary>
    public void ClearFaults()
    {
        lock (_gate)
        {
            _writeFaults.Clear();
            _replayFaults.Clear();
        }
    }

    /// <summary>
    /// Holds every <see cref="WriteAsync"/> call (asynchronously, nothing blocks a thread) until
    /// <see cref="ResumeWrites"/>: deterministic "persist still in flight" for tests. Idempotent.
    /// </summary>
    public void PauseWrites()
    {
        lock (_gate) _writesPaused ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Lets the writes held by <see cref="PauseWrites"/> (and all later ones) go on. Idempotent.</summary>
    public void ResumeWrites()
    {
        TaskCompletionSource? paused;
        lock (_gate)
        {
            paused = _writesPaused;
            _writesPaused = null;
        }
        paused?.TrySetResult();
    }

    // ---------------------------------------------------------------- IJournal

    public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);

        Task? paused;
        TimeSpan delay;
        lock (_gate)
        {
            paused = _writesPaused?.Task;
            delay = _writeDelay;
        }
        if (paused is not null) await paused.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (delay > TimeSpan.Zero) await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        // Serialize outside the lock: a write that cannot be serialized is rejected and touches nothing.
        var results = new WriteResult?[writes.Count];
        var prepared = new StoredEvent[]?[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                prepared[i] = Prepare(writes[i]);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                results[i] = new WriteResult.Rejected(e);
            }
        }

        var anyStored = false;
        lock (_gate)
        {
            for (var i = 0; i < writes.Count; i++)
            {
                if (prepared[i] is not { } events) continue;
                if (TakeFault(_writeFaults, events[0].PersistenceId) is { } fault)
                {
                    results[i] = fault.Reject ? new WriteResult.Rejected(fault.Cause) : new WriteResult.Failed(fault.Cause);
                    continue;
                }
                results[i] = Append(events);
                anyStored |= results[i] is WriteResult.Stored;
            }
        }

        if (anyStored) RaiseEventsWritten();
        return results!;
    }

    public async IAsyncEnumerable<PersistentRepr> ReplayAsync(
        string persistenceId,
        long fromSequenceNr,
        long toSequenceNr,
        long max,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        cancellationToken.ThrowIfCancellationRequested();

        PendingFault? fault;
        lock (_gate) fault = TakeFault(_replayFaults, persistenceId);
        if (fault is not null) throw fault.Cause;

        var remaining = max;
        var from = Math.Max(fromSequenceNr, 1);
        var page = new List<StoredEvent>(ReplayPageSize);
        while (remaining > 0 && from <= toSequenceNr)
        {
            page.Clear();
            lock (_gate)
            {
                if (_streams.TryGetValue(persistenceId, out var stream))
                    stream.CopyRange(from, toSequenceNr, (int)Math.Min(remaining, ReplayPageSize), page);
            }
            if (page.Count == 0) yield break;

            foreach (var stored in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return ToRepr(stored);
            }
            remaining -= page.Count;
            if (page[^1].SequenceNr == long.MaxValue) yield break;
            from = page[^1].SequenceNr + 1;
            // Give other callers a turn between pages, like a database round trip would.
            await Task.Yield();
        }
    }

    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
            return Task.FromResult(_streams.TryGetValue(persistenceId, out var stream) ? stream.HighestSequenceNr : 0L);
    }

    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_streams.TryGetValue(persistenceId, out var stream))
            {
                foreach (var ordering in stream.DeleteTo(toSequenceNr))
                    _byOrdering[(int)(ordering - 1)] = null;
            }
        }
        return Task.CompletedTask;
    }

    // ---------------------------------------------------------------- read side

    /// <summary>
    /// A copy of up to <paramref name="max"/> stored (not deleted) events of all persistence ids with
    /// ordering &gt; <paramref name="afterOrdering"/>, in ordering order, with <see cref="PersistentRepr.Ordering"/>
    /// and <see cref="PersistentRepr.Manifest"/> set. Later writes and deletes do not change the returned list.
    /// </summary>
    public IReadOnlyList<PersistentRepr> ReadAllEvents(long afterOrdering, int max) =>
        ReadGlobal(afterOrdering, max, static _ => true);

    /// <summary>Like <see cref="ReadAllEvents"/>, but only events carrying <paramref name="tag"/>.</summary>
    public IReadOnlyList<PersistentRepr> ReadEventsByTag(string tag, long afterOrdering, int max)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return ReadGlobal(afterOrdering, max, e => e.Tags.Contains(tag, StringComparer.Ordinal));
    }

    /// <summary>The persistence ids that have ever stored an event (also those whose events were all deleted), in first-write order.</summary>
    public IReadOnlyList<string> ReadPersistenceIds()
    {
        lock (_gate) return [.. _streams.Keys];
    }

    // ---------------------------------------------------------------- internals

    private IReadOnlyList<PersistentRepr> ReadGlobal(long afterOrdering, int max, Func<StoredEvent, bool> include)
    {
        if (max <= 0) return [];
        var rows = new List<StoredEvent>(Math.Min(max, ReplayPageSize));
        lock (_gate)
        {
            for (var i = (int)Math.Clamp(afterOrdering, 0, _byOrdering.Count); i < _byOrdering.Count && rows.Count < max; i++)
            {
                if (_byOrdering[i] is { } e && include(e)) rows.Add(e);
            }
        }
        var result = new PersistentRepr[rows.Count];
        for (var i = 0; i < rows.Count; i++) result[i] = ToRepr(rows[i]);
        return result;
    }

    private StoredEvent[] Prepare(AtomicWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var events = write.Events;
        if (events is null || events.Count == 0) throw new ArgumentException("An atomic write needs at least one event.", nameof(write));

        var persistenceId = events[0].PersistenceId;
        var stored = new StoredEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (!string.Equals(e.PersistenceId, persistenceId, StringComparison.Ordinal))
                throw new ArgumentException($"All events of an atomic write must have one persistence id; got '{persistenceId}' and '{e.PersistenceId}'.", nameof(write));
            if (e.SequenceNr < 1)
                throw new ArgumentException($"Sequence numbers start at 1; got {e.SequenceNr} for '{persistenceId}'.", nameof(write));
            if (i > 0 && e.SequenceNr <= events[i - 1].SequenceNr)
                throw new ArgumentException($"Sequence numbers of an atomic write must increase; got {events[i - 1].SequenceNr} then {e.SequenceNr} for '{persistenceId}'.", nameof(write));

            var payload = _serializer.Serialize(e.Payload);
            stored[i] = new StoredEvent(
                persistenceId, e.SequenceNr, payload.Manifest, payload.Bytes, e.WriterId ?? "", e.Timestamp,
                e.Tags is null || e.Tags.Count == 0 ? PersistentRepr.NoTags : Array.AsReadOnly(e.Tags.ToArray()));
        }
        return stored;
    }

    /// <summary>Under <see cref="_gate"/>: the fence check, then ordering assignment and append, all or nothing.</summary>
    private WriteResult Append(StoredEvent[] events)
    {
        var persistenceId = events[0].PersistenceId;
        _streams.TryGetValue(persistenceId, out var stream);
        if (stream is not null)
        {
            foreach (var e in events)
            {
                if (stream.IsTaken(e.SequenceNr))
                    return new WriteResult.Failed(new InvalidOperationException(
                        $"Sequence number {e.SequenceNr} of '{persistenceId}' is already taken; nothing of this write was stored."));
            }
        }
        else
        {
            stream = new EventStream();
            _streams.Add(persistenceId, stream);
        }

        foreach (var e in events)
        {
            e.Ordering = _byOrdering.Count + 1;
            _byOrdering.Add(e);
            stream.Add(e);
        }
        return new WriteResult.Stored(events[^1].Ordering);
    }

    private static PendingFault? TakeFault(List<PendingFault> faults, string persistenceId)
    {
        for (var i = 0; i < faults.Count; i++)
        {
            var fault = faults[i];
            if (fault.PersistenceId is null || string.Equals(fault.PersistenceId, persistenceId, StringComparison.Ordinal))
            {
                faults.RemoveAt(i);
                return fault;
            }
        }
        return null;
    }

    private PersistentRepr ToRepr(StoredEvent e) =>
        new(e.PersistenceId, e.SequenceNr, _serializer.Deserialize(e.Manifest, e.Bytes), e.WriterId, e.Timestamp, e.Tags)
        {
            Manifest = e.Manifest,
            Ordering = e.Ordering,
        };

    private void RaiseEventsWritten()
    {
        if (EventsWritten is not { } handlers) return;
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action)handler)();
            }
            catch (Exception)
            {
                // A listener's bug must not make a stored write look failed to the writer.
            }
        }
    }

    private sealed record PendingFault(string? PersistenceId, Exception Cause, bool Reject = false);

    /// <summary>One stored row. Immutable once appended (Ordering is set once, under the lock, before anyone can see it).</summary>
    private sealed class StoredEvent(
        string persistenceId, long sequenceNr, string manifest, byte[] bytes, string writerId, DateTimeOffset timestamp, IReadOnlyList<string> tags)
    {
        public string PersistenceId { get; } = persistenceId;
        public long SequenceNr { get; } = sequenceNr;
        public string Manifest { get; } = manifest;
        public byte[] Bytes { get; } = bytes;
        public string WriterId { get; } = writerId;
        public DateTimeOffset Timestamp { get; } = timestamp;
        public IReadOnlyList<string> Tags { get; } = tags;
        public long Ordering { get; set; }
    }

    /// <summary>The events of one persistence id, sorted by sequence number. Guarded by the journal's lock.</summary>
    private sealed class EventStream
    {
        private readonly List<StoredEvent> _events = [];

        public long HighestSequenceNr { get; private set; }

        /// <summary>Everything up to here was deleted; such numbers stay taken, so a zombie writer cannot reuse them.</summary>
        private long _deletedTo;

        public bool IsTaken(long sequenceNr) => sequenceNr <= _deletedTo || IndexOf(sequenceNr) >= 0;

        public void Add(StoredEvent e)
        {
            if (e.SequenceNr > HighestSequenceNr)
            {
                _events.Add(e);
                HighestSequenceNr = e.SequenceNr;
            }
            else
            {
                _events.Insert(~IndexOf(e.SequenceNr), e); // a gap being filled: IsTaken said it is free
            }
        }

        public void CopyRange(long from, long to, int max, List<StoredEvent> into)
        {
            var index = LowerBound(from);
            for (; index < _events.Count && into.Count < max && _events[index].SequenceNr <= to; index++)
                into.Add(_events[index]);
        }

        /// <summary>Removes all events with seq &lt;= <paramref name="toSequenceNr"/>; returns their orderings.</summary>
        public long[] DeleteTo(long toSequenceNr)
        {
            var count = toSequenceNr == long.MaxValue ? _events.Count : LowerBound(toSequenceNr + 1);
            var orderings = new long[count];
            for (var i = 0; i < count; i++) orderings[i] = _events[i].Ordering;
            _events.RemoveRange(0, count);
            // Only what existed is deleted: events written later (even after "delete to long.MaxValue") stay.
            _deletedTo = Math.Max(_deletedTo, Math.Min(toSequenceNr, HighestSequenceNr));
            return orderings;
        }

        private int IndexOf(long sequenceNr)
        {
            var index = LowerBound(sequenceNr);
            return index < _events.Count && _events[index].SequenceNr == sequenceNr ? index : ~index;
        }

        /// <summary>The index of the first event with seq &gt;= <paramref name="sequenceNr"/>.</summary>
        private int LowerBound(long sequenceNr)
        {
            int lo = 0, hi = _events.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_events[mid].SequenceNr < sequenceNr) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }
}
