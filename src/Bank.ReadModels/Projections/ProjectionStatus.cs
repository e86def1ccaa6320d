namespace Bank.ReadModels.Projections;

public enum ProjectionState
{
    /// <summary>Not started, or stopped.</summary>
    Stopped,

    /// <summary>Following the journal.</summary>
    Running,

    /// <summary>Replaying from offset 0 after <see cref="Projection.RebuildAsync"/>, until it reaches the offset that was highest when the rebuild began.</summary>
    Rebuilding,

    /// <summary>The last attempt failed (see <see cref="ProjectionStatus.LastError"/>); it restarts from the stored offset after a backoff.</summary>
    Failed,
}

/// <summary>A projection at one moment.</summary>
/// <param name="Offset">The offset stored with the read model: every event up to it is in the read model.</param>
/// <param name="HighestOffset">The journal's highest offset of an event with the projection's tag (the last one known when the journal cannot be asked).</param>
/// <param name="EventsBehind">HighestOffset - Offset, at least 0: the offsets between them, so an upper bound of the events.</param>
/// <param name="SecondsBehind">When behind: now minus the journal timestamp of the last event handled (or of the start, before the first); else 0.</param>
/// <param name="Restarts">Restarts after failures since the projection was created.</param>
/// <param name="EventsHandled">Events applied since the projection was created.</param>
/// <param name="Rebuild">The last rebuild, if one ran since the projection was created.</param>
public sealed record ProjectionStatus(
    string Name,
    ProjectionState State,
    long Offset,
    long HighestOffset,
    long EventsBehind,
    double SecondsBehind,
    DateTimeOffset? LastEventTimestamp,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    int Restarts,
    long EventsHandled,
    RebuildProgress? Rebuild)
{
    /// <summary>
    /// Journal orderings at or below <see cref="Offset"/> that the stream jumped over while they were not in the journal
    /// (write transactions still open, or rolled back): looked up again every GapCheckInterval, dropped after GapGiveUpAfter.
    /// </summary>
    public long PendingGaps { get; init; }
}

/// <summary>How far a rebuild is.</summary>
/// <param name="TargetOffset">The journal's highest offset when the rebuild began: reaching it completes the rebuild.</param>
/// <param name="EventsDone">Events applied since the rebuild began.</param>
/// <param name="Offset">The offset the rebuild has reached.</param>
/// <param name="EventsPerSecond">EventsDone divided by the time since the start (until completion).</param>
/// <param name="CompletedAt">Null while it runs.</param>
public sealed record RebuildProgress(
    DateTimeOffset StartedAt,
    long TargetOffset,
    long EventsDone,
    long Offset,
    double EventsPerSecond,
    DateTimeOffset? CompletedAt)
{
    public bool Completed => CompletedAt is not null;

    /// <summary>Offset / TargetOffset as a percentage (100 when there was nothing to replay).</summary>
    public double PercentDone => TargetOffset <= 0 ? 100 : Math.Min(100, 100.0 * Offset / TargetOffset);
}
