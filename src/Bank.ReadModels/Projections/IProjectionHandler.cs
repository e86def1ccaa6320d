using Akka.Persistence.Query;

namespace Bank.ReadModels.Projections;

/// <summary>
/// Turns events into a read model. Every method runs inside a transaction of the projection's database that also
/// holds the projection's offset change, so whatever the handler writes commits together with the offset or not at
/// all: the handler never has to deal with a batch that was half applied. It must use the session for every statement
/// (its connection and transaction) and must not commit.
/// </summary>
public interface IProjectionHandler
{
    /// <summary>Creates the read model's tables and indexes if missing (idempotent; runs on every start).</summary>
    Task InitializeAsync(ProjectionSession session, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a batch of events (1 to MaxBatchSize of them, plus any the projection fetched to fill holes). Events of one
    /// persistence id come in sequence-number order; across ids the order is the journal's, except that an event
    /// fetched late comes before the event that revealed its absence. An event may come again after it was applied
    /// (a late fetch racing the live stream): the handler must skip what it already has (e.g. by version). Throwing
    /// rolls back the whole batch and its offset; the projection restarts from the stored offset after a backoff.
    /// </summary>
    Task HandleAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken);

    /// <summary>Empties the read model, for a rebuild from offset 0 (the offset is reset in the same transaction).</summary>
    Task ResetAsync(ProjectionSession session, CancellationToken cancellationToken);

    /// <summary>
    /// For the per-stream hole check: the highest sequence number the read model has applied of each persistence id of
    /// <paramref name="events"/> (0, or left out, for an id it has nothing of). When an event at sequence number s
    /// comes while the read model has its id at v &lt; s - 1, the projection first fetches v+1 .. s-1 from the journal
    /// and puts them in the batch before it. Return null when the read model does not follow every event of its
    /// persistence ids in order (then only the per-ordering check applies).
    /// </summary>
    Task<IReadOnlyDictionary<string, long>?> AppliedSequenceNrsAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events,
        CancellationToken cancellationToken) => Task.FromResult<IReadOnlyDictionary<string, long>?>(null);
}
