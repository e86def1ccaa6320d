namespace Actors.Persistence.Query;

/// <summary>
/// The query side of an event journal, after Akka.Persistence.Query. Every query is an <see cref="IAsyncEnumerable{T}"/>
/// that reads one page at a time and only when the consumer asks for more (a slow consumer slows the reads down; nothing
/// is buffered beyond one page). <c>Current…</c> queries end when they have delivered what was stored when they started;
/// the others (live) go on with events written later until cancelled. Cancelling ends a query promptly with an
/// <see cref="OperationCanceledException"/>.
/// </summary>
public interface IReadJournal
{
    /// <summary>
    /// The events of one persistence id with <paramref name="fromSequenceNr"/> &lt;= seq &lt;= <paramref name="toSequenceNr"/>,
    /// in sequence order, as stored now; ends at the last one.
    /// </summary>
    IAsyncEnumerable<EventEnvelope> CurrentEventsByPersistenceId(
        string persistenceId, long fromSequenceNr = 0, long toSequenceNr = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="CurrentEventsByPersistenceId"/>, then waits for later events; ends after <paramref name="toSequenceNr"/>.</summary>
    IAsyncEnumerable<EventEnvelope> EventsByPersistenceId(
        string persistenceId, long fromSequenceNr = 0, long toSequenceNr = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>The events carrying <paramref name="tag"/> with ordering &gt; <paramref name="offset"/>, in ordering order, up to the highest ordering stored when the query started.</summary>
    IAsyncEnumerable<EventEnvelope> CurrentEventsByTag(string tag, long offset = 0, CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="CurrentEventsByTag"/>, then goes on with tagged events written later.</summary>
    IAsyncEnumerable<EventEnvelope> EventsByTag(string tag, long offset = 0, CancellationToken cancellationToken = default);

    /// <summary>All events with ordering &gt; <paramref name="offset"/>, in ordering order, up to the highest ordering stored when the query started.</summary>
    IAsyncEnumerable<EventEnvelope> CurrentAllEvents(long offset = 0, CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="CurrentAllEvents"/>, then goes on with events written later.</summary>
    IAsyncEnumerable<EventEnvelope> AllEvents(long offset = 0, CancellationToken cancellationToken = default);

    /// <summary>Every persistence id that has stored events (also one whose events were all deleted), each once, in no particular order.</summary>
    IAsyncEnumerable<string> CurrentPersistenceIds(CancellationToken cancellationToken = default);

    /// <summary>Like <see cref="CurrentPersistenceIds"/>, then each new persistence id once, as it stores its first event.</summary>
    IAsyncEnumerable<string> PersistenceIds(CancellationToken cancellationToken = default);

    /// <summary>The highest ordering stored (committed) right now; 0 when the journal is empty. Compare with a projection's offset for its lag.</summary>
    Task<long> HighestOffsetAsync(CancellationToken cancellationToken = default);
}
