using System.ComponentModel;
using Bank.Actors.ReadSide;
using Bank.ReadModels.Projections;

namespace Bank.Host.Http;

/// <summary>A projection at one moment.</summary>
public sealed record ProjectionStatusResponse
{
    public required string Name { get; init; }

    public required ProjectionState State { get; init; }

    [Description("Every event up to this global offset is in the read model.")]
    public required long Offset { get; init; }

    [Description("The journal's highest offset of an event with the projection's tag.")]
    public required long HighestOffset { get; init; }

    [Description("highestOffset - offset. Rows of the same tag still in flight (gaps) count too, so it is an upper bound.")]
    public required long EventsBehind { get; init; }

    [Description("When behind: now minus the time the last handled event was stored; else 0.")]
    public required double SecondsBehind { get; init; }

    [Description("When the last handled event was stored.")]
    public DateTimeOffset? LastEventTimestamp { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }

    [Description("Restarts after failures since the host started.")]
    public required int Restarts { get; init; }

    [Description("Events applied since the host started.")]
    public required long EventsHandled { get; init; }

    [Description("The last rebuild since the host started, if any.")]
    public RebuildResponse? Rebuild { get; init; }

    [Description("The cluster node that runs the projection (its remoting address): one node of the cluster, whichever answers.")]
    public string? Node { get; init; }

    /// <summary>The status as the node that runs the projection answered it (through the projections' singleton).</summary>
    public static ProjectionStatusResponse From(ProjectionReply.Status reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var rebuild = reply.Rebuild is { } r ? new RebuildProgress(r.StartedAt, r.TargetOffset, r.EventsDone, r.Offset, r.EventsPerSecond, r.CompletedAt) : null;
        var status = new ProjectionStatus(reply.Name, Enum.Parse<ProjectionState>(reply.State), reply.Offset, reply.HighestOffset, reply.EventsBehind,
            reply.SecondsBehind, reply.LastEventTimestamp, reply.LastError, reply.LastErrorAt, reply.Restarts, reply.EventsHandled, rebuild)
        {
            PendingGaps = reply.PendingGaps,
        };
        return From(status) with { Node = reply.Node };
    }

    public static ProjectionStatusResponse From(ProjectionStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new ProjectionStatusResponse
        {
            Name = status.Name,
            State = status.State,
            Offset = status.Offset,
            HighestOffset = status.HighestOffset,
            EventsBehind = status.EventsBehind,
            SecondsBehind = status.SecondsBehind,
            LastEventTimestamp = status.LastEventTimestamp,
            LastError = status.LastError,
            LastErrorAt = status.LastErrorAt,
            Restarts = status.Restarts,
            EventsHandled = status.EventsHandled,
            Rebuild = status.Rebuild is { } rebuild ? RebuildResponse.From(rebuild) : null,
        };
    }
}

/// <summary>How far a rebuild is: it replays from offset 0 and completes at the journal's highest offset when it began.</summary>
public sealed record RebuildResponse(
    DateTimeOffset StartedAt, long TargetOffset, long EventsDone, long Offset, double PercentDone, double EventsPerSecond, bool Completed,
    DateTimeOffset? CompletedAt)
{
    public static RebuildResponse From(RebuildProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return new RebuildResponse(progress.StartedAt, progress.TargetOffset, progress.EventsDone, progress.Offset, progress.PercentDone,
            progress.EventsPerSecond, progress.Completed, progress.CompletedAt);
    }
}

public sealed record ProjectionListResponse(IReadOnlyList<ProjectionStatusResponse> Projections);
