using Actors.Persistence.InMemory;
using Actors.Persistence.Query.Internal;

namespace Actors.Persistence.Query;

/// <summary>
/// Queries over an <see cref="InMemoryJournal"/>. Its orderings are assigned under a lock and appear in order, so a
/// reader can never see a gap that may still fill. Live queries wake on the journal's <c>EventsWritten</c>.
/// </summary>
public sealed class InMemoryReadJournal : ReadJournal
{
    private readonly InMemoryJournal _journal;
    private readonly Action _onWritten;

    public InMemoryReadJournal(InMemoryJournal journal, ReadJournalOptions? options = null)
        : base(new InMemoryQueryStore(journal ?? throw new ArgumentNullException(nameof(journal))), options)
    {
        _journal = journal;
        _onWritten = NotifyWritten;
        _journal.EventsWritten += _onWritten;
    }

    private protected override ValueTask DisposeCoreAsync()
    {
        _journal.EventsWritten -= _onWritten;
        return ValueTask.CompletedTask;
    }
}

internal sealed class InMemoryQueryStore(InMemoryJournal journal) : QueryStore
{
    public override Task<long> HighestOffsetAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(journal.HighestOrdering);
    }

    public override async Task<IReadOnlyList<EventEnvelope>> ReadByPersistenceIdAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, int limit, CancellationToken cancellationToken)
    {
        CountPage();
        var page = new List<EventEnvelope>(Math.Min(limit, 256));
        await foreach (var repr in journal.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, limit, cancellationToken).ConfigureAwait(false))
            page.Add(ToEnvelope(repr));
        return page;
    }

    /// <summary>The journal hands out its ids as one copied list (it holds everything in memory anyway).</summary>
    public override async IAsyncEnumerable<string> ScanPersistenceIdsAsync(
        int pageSize, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        CountPage();
        var ids = journal.ReadPersistenceIds();
        for (var i = 0; i < ids.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (i > 0 && i % pageSize == 0) await Task.Yield();
            yield return ids[i];
        }
    }

    /// <summary>The highest ordering is read before the ids: every id with an event at or below it is in the scan.</summary>
    public override Task<PersistenceIdsStart> StartPersistenceIdsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new PersistenceIdsStart(journal.HighestOrdering, InFlight: null));

    public override GlobalCursor OpenCursor(GlobalQuery query, long position) => new Cursor(this, query, position);

    private static EventEnvelope ToEnvelope(Journal.PersistentRepr repr) =>
        new(repr.Ordering, repr.PersistenceId, repr.SequenceNr, repr.Timestamp, repr.Tags, repr.Payload, repr.Manifest);

    private sealed class Cursor(InMemoryQueryStore store, GlobalQuery query, long position) : GlobalCursor(position)
    {
        public override Task<GlobalPage> ReadAsync(int limit, long end, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            store.CountPage();
            // Read before scanning: the scan (under the journal's lock) covers at least everything up to here.
            var highest = store.Journal.HighestOrdering;
            var events = query.Kind == GlobalQueryKind.Tag
                ? store.Journal.ReadEventsByTag(query.Tag!, Position, limit)
                : store.Journal.ReadAllEvents(Position, limit);

            var rows = new List<GlobalRow>(events.Count);
            foreach (var e in events)
            {
                if (e.Ordering > end) break;
                rows.Add(new GlobalRow(e.Ordering, e.PersistenceId, query.Kind == GlobalQueryKind.PersistenceIds ? null : ToEnvelope(e)));
            }
            var scannedTo = events.Count == limit ? events[^1].Ordering : Math.Max(highest, events.Count > 0 ? events[^1].Ordering : 0);
            Advance(rows, limit, Math.Min(end, scannedTo));
            return Task.FromResult(new GlobalPage(rows, CaughtUp: rows.Count < limit, Blocked: false));
        }
    }

    private InMemoryJournal Journal => journal;
}
