using System.Runtime.CompilerServices;
using Actors.Persistence.Query.Internal;

namespace Actors.Persistence.Query;

/// <summary>
/// The query logic shared by all stores: paging, exclusive offsets, current versus live, waking up on writes.
/// A store only reads pages (see the derived classes).
/// <para>
/// Demand: each query is an async iterator that reads the next page only when the consumer has taken the previous
/// one, so at most one page per query is in memory and nothing is read ahead. Live queries that are caught up wait for
/// a wake-up (<see cref="NotifyWritten"/>, raised by an attached journal's <c>EventsWritten</c> and, on PostgreSQL,
/// by LISTEN/NOTIFY) or for <see cref="ReadJournalOptions.PollInterval"/>, whichever comes first; the wait is taken
/// before each read, so a write committed during a read is never slept through.
/// </para>
/// </summary>
public abstract class ReadJournal : IReadJournal, IAsyncDisposable
{
    private readonly WriteSignal _signal = new();
    private readonly QueryStore _store;
    private volatile bool _disposed;
    private int _disposeStarted;

    private protected ReadJournal(QueryStore store, ReadJournalOptions? options)
    {
        options ??= new ReadJournalOptions();
        options.Validate();
        Options = options;
        _store = store;
    }

    public ReadJournalOptions Options { get; }

    /// <summary>Queries run against the storage so far (each reads at most one page).</summary>
    internal long PagesRead => _store.PagesRead;

    /// <summary>
    /// Wakes the live queries of this read journal now instead of at their next poll. Attached journals call it after
    /// each committed batch; call it yourself when you learn of writes some other way.
    /// </summary>
    public void NotifyWritten() => _signal.Notify();

    /// <summary>Called when a live query starts, before it reads (PostgreSQL starts its listener here).</summary>
    private protected virtual void OnLiveQueryStarting()
    {
    }

    // ------------------------------------------------------------------ by persistence id

    public IAsyncEnumerable<EventEnvelope> CurrentEventsByPersistenceId(
        string persistenceId, long fromSequenceNr = 0, long toSequenceNr = long.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        return ByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, live: false, cancellationToken);
    }

    public IAsyncEnumerable<EventEnvelope> EventsByPersistenceId(
        string persistenceId, long fromSequenceNr = 0, long toSequenceNr = long.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        return ByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, live: true, cancellationToken);
    }

    private async IAsyncEnumerable<EventEnvelope> ByPersistenceId(
        string persistenceId, long fromSequenceNr, long toSequenceNr, bool live,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = Math.Max(fromSequenceNr, 0);
        if (next > toSequenceNr) yield break;
        if (live) OnLiveQueryStarting();
        while (true)
        {
            ThrowIfDisposed();
            var wake = _signal.Next;
            var page = await _store.ReadByPersistenceIdAsync(persistenceId, next, toSequenceNr, Options.PageSize, cancellationToken)
                .ConfigureAwait(false);
            foreach (var envelope in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return envelope;
            }
            if (page.Count > 0)
            {
                var last = page[^1].SequenceNr;
                if (last >= toSequenceNr) yield break;
                next = last + 1;
            }
            if (page.Count == Options.PageSize) continue;
            // A persistence id's events become visible in sequence order (one writer, one write lane), so a short
            // page means the stream's end for now.
            if (!live) yield break;
            await WaitForWritesAsync(wake, cancellationToken).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ by tag, all events

    public IAsyncEnumerable<EventEnvelope> CurrentEventsByTag(string tag, long offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return Global(GlobalQuery.ByTag(tag), offset, live: false, cancellationToken);
    }

    public IAsyncEnumerable<EventEnvelope> EventsByTag(string tag, long offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return Global(GlobalQuery.ByTag(tag), offset, live: true, cancellationToken);
    }

    public IAsyncEnumerable<EventEnvelope> CurrentAllEvents(long offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return Global(GlobalQuery.All, offset, live: false, cancellationToken);
    }

    public IAsyncEnumerable<EventEnvelope> AllEvents(long offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return Global(GlobalQuery.All, offset, live: true, cancellationToken);
    }

    private async IAsyncEnumerable<EventEnvelope> Global(
        GlobalQuery query, long offset, bool live, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (live) OnLiveQueryStarting();
        // A current query ends at the highest ordering committed when it starts (later events are for the next query);
        // it still waits for an ordering below that which a transaction in flight may yet write (PostgreSQL).
        var end = live ? long.MaxValue : await _store.HighestOffsetAsync(cancellationToken).ConfigureAwait(false);
        var cursor = _store.OpenCursor(query, offset);
        while (cursor.Position < end)
        {
            ThrowIfDisposed();
            var wake = _signal.Next;
            var page = await cursor.ReadAsync(Options.PageSize, end, cancellationToken).ConfigureAwait(false);
            foreach (var row in page.Rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return row.Envelope!;
            }
            if (!page.CaughtUp) continue;
            if (!live && !page.Blocked) yield break;
            await WaitForWritesAsync(wake, cancellationToken).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ persistence ids

    public IAsyncEnumerable<string> CurrentPersistenceIds(CancellationToken cancellationToken = default) =>
        _store.ScanPersistenceIdsAsync(Options.PageSize, cancellationToken);

    public IAsyncEnumerable<string> PersistenceIds(CancellationToken cancellationToken = default) => LivePersistenceIds(cancellationToken);

    /// <summary>
    /// First every id stored so far (by a scan of the ids), then the ids of events after the point where that scan
    /// started, followed in global order like <see cref="AllEvents"/> (so with the same gap safety), each id once.
    /// Ids of transactions that were in flight at the start point land below it; when those transactions have ended,
    /// one more scan picks them up.
    /// </summary>
    private async IAsyncEnumerable<string> LivePersistenceIds([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        OnLiveQueryStarting();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var start = await _store.StartPersistenceIdsAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var id in _store.ScanPersistenceIdsAsync(Options.PageSize, cancellationToken).ConfigureAwait(false))
        {
            if (seen.Add(id)) yield return id;
        }

        var inFlight = start.InFlight;
        var cursor = _store.OpenCursor(GlobalQuery.PersistenceIds, start.Ordering);
        while (true)
        {
            ThrowIfDisposed();
            var wake = _signal.Next;
            if (inFlight is not null && await _store.HaveFinishedAsync(inFlight, cancellationToken).ConfigureAwait(false))
            {
                inFlight = null;
                await foreach (var id in _store.ScanPersistenceIdsAsync(Options.PageSize, cancellationToken).ConfigureAwait(false))
                {
                    if (seen.Add(id)) yield return id;
                }
            }
            var page = await cursor.ReadAsync(Options.PageSize, long.MaxValue, cancellationToken).ConfigureAwait(false);
            foreach (var row in page.Rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (seen.Add(row.PersistenceId)) yield return row.PersistenceId;
            }
            if (page.CaughtUp) await WaitForWritesAsync(wake, cancellationToken).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ misc

    public Task<long> HighestOffsetAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _store.HighestOffsetAsync(cancellationToken);
    }

    private async Task WaitForWritesAsync(Task wake, CancellationToken cancellationToken)
    {
        await wake.WaitAsync(Options.PollInterval, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Releases what the store holds; live queries still running end with <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0) return;
        _disposed = true;
        _signal.Notify();
        await DisposeCoreAsync().ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Detaches from journals, stops listeners; runs once, before the store is disposed.</summary>
    private protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;
}
