namespace Bank.Actors.ReadSide;

/// <summary>
/// A question for the node that runs the read side's projections (the cluster singleton <see cref="ProjectionsSingleton"/>),
/// asked from any node through the singleton's proxy. Answered with a <see cref="ProjectionReply"/>.
/// </summary>
public abstract record ProjectionRequest(string Name);

/// <summary>The projection's status as the node that runs it sees it.</summary>
public sealed record GetProjectionStatus(string Name) : ProjectionRequest(Name);

/// <summary>Rebuilds the projection from the start of the journal; answered once the replay has begun.</summary>
public sealed record RebuildProjection(string Name) : ProjectionRequest(Name);

/// <summary>What the node that runs the projections answers.</summary>
public abstract record ProjectionReply
{
    private ProjectionReply()
    {
    }

    /// <summary>A projection at one moment (the fields of the read side's ProjectionStatus), and the node that runs it.</summary>
    public sealed record Status(
        string Node,
        string Name,
        string State,
        long Offset,
        long HighestOffset,
        long EventsBehind,
        double SecondsBehind,
        DateTimeOffset? LastEventTimestamp,
        string? LastError,
        DateTimeOffset? LastErrorAt,
        int Restarts,
        long EventsHandled,
        long PendingGaps,
        RebuildStatus? Rebuild) : ProjectionReply;

    /// <summary>The request failed: no such projection, or the read model's database did not answer.</summary>
    public sealed record Failed(string Name, bool NotFound, string Reason) : ProjectionReply;
}

/// <summary>How far a rebuild is (the read side's RebuildProgress).</summary>
public sealed record RebuildStatus(DateTimeOffset StartedAt, long TargetOffset, long EventsDone, long Offset, double EventsPerSecond, DateTimeOffset? CompletedAt);

/// <summary>The key of the projections' singleton proxy in Akka.Hosting's registry (<c>IRequiredActor&lt;ProjectionsSingleton&gt;</c>).</summary>
public sealed class ProjectionsSingleton
{
    public const string Name = "bank-projections";
}
