namespace Actors.Persistence.Query.Projections;

/// <summary>
/// Turns events into a read model. Every method runs inside a transaction of the projection's database that also
/// holds the projection's offset change, so whatever the handler writes commits together with the offset or not at
/// all: the handler never has to deal with a batch that was half applied. It must use <paramref name="session"/>
/// for every statement (its connection and transaction) and must not commit.
/// </summary>
public interface IProjectionHandler
{
    /// <summary>Creates the read model's tables and indexes if missing (idempotent; runs on every start).</summary>
    Task InitializeAsync(ProjectionSession session, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a batch of events, in offset order (1 to MaxBatchSize of them). Throwing rolls back the whole batch
    /// and its offset; the projection restarts from the stored offset after a backoff.
    /// </summary>
    Task HandleAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken);

    /// <summary>Empties the read model, for a rebuild from offset 0 (the offset is reset in the same transaction).</summary>
    Task ResetAsync(ProjectionSession session, CancellationToken cancellationToken);
}
