namespace Actors.Persistence.Journal;

/// <summary>
/// What became of one <see cref="AtomicWrite"/>. Rejected means nothing was stored and the journal is healthy
/// (e.g. the event cannot be serialized): the actor may go on. Failed means the write did not happen or its
/// outcome is unknown (connection lost, sequence number already taken): the actor must stop.
/// </summary>
public abstract record WriteResult
{
    private WriteResult() { }

    /// <param name="HighestOrdering">The global ordering of the write's last event (0 if the store has none).</param>
    public sealed record Stored(long HighestOrdering) : WriteResult;

    public sealed record Rejected(Exception Cause) : WriteResult;

    public sealed record Failed(Exception Cause) : WriteResult;
}
