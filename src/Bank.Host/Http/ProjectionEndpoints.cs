using Akka.Actor;
using Akka.Hosting;
using Bank.Actors.ReadSide;
using Bank.Host.Auth;
using Bank.Host.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bank.Host.Http;

/// <summary>
/// The projections that keep the read models: how far they are, and rebuilding one from the start of the journal. The
/// projections run on one node of the cluster (the singleton <see cref="ProjectionsSingleton"/>); any node answers by
/// asking it through the singleton's proxy.
/// </summary>
public static class ProjectionEndpoints
{
    public static string Location(string name) => $"/projections/{Uri.EscapeDataString(name)}";

    public static RouteGroupBuilder MapProjectionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/projections").WithTags("Projections").RequireBankPolicy(BankPolicies.Admin);
        group.MapGet("", ListAsync).WithName("ListProjections")
            .WithSummary("Every projection: state, offset, events and seconds behind the journal, errors, rebuild progress, the node that runs it.")
            .ProducesProblems(503);
        group.MapGet("/{name}", GetAsync).WithName("GetProjection")
            .WithSummary("One projection's status; poll it to follow a rebuild.")
            .ProducesProblems(404, 503);
        group.MapPost("/{name}/rebuild", RebuildAsync).WithName("RebuildProjection")
            .WithSummary("Rebuilds a projection's read model from the start of the journal while the host keeps running.")
            .WithDescription("Empties the read model and resets the offset in one transaction, then replays every event. Answers 202 once "
                             + "the replay has begun, with the status (state rebuilding, rebuild progress) and its Location to poll. "
                             + "Meanwhile queries see the read model refill; with minOffset they wait for the replay to come by.")
            .ProducesProblems(404, 503);
        return group;
    }

    private static async Task<Results<Ok<ProjectionListResponse>, ProblemHttpResult>> ListAsync(
        BankReadSide readSide, IRequiredActor<ProjectionsSingleton> projections, BankHttpSettings settings, HttpContext http, CancellationToken cancellationToken)
    {
        var statuses = new List<ProjectionStatusResponse>();
        foreach (var name in readSide.Projections.Names)
        {
            var reply = await AskAsync(projections, new GetProjectionStatus(name), settings, cancellationToken);
            if (reply is not ProjectionReply.Status status) return Problem(reply, readSide, http);
            statuses.Add(ProjectionStatusResponse.From(status));
        }
        return TypedResults.Ok(new ProjectionListResponse(statuses));
    }

    private static async Task<Results<Ok<ProjectionStatusResponse>, ProblemHttpResult>> GetAsync(
        string name, BankReadSide readSide, IRequiredActor<ProjectionsSingleton> projections, BankHttpSettings settings, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (!readSide.Projections.TryGet(name, out _)) return NotFound(name, readSide);
        var reply = await AskAsync(projections, new GetProjectionStatus(name), settings, cancellationToken);
        return reply is ProjectionReply.Status status ? TypedResults.Ok(ProjectionStatusResponse.From(status)) : Problem(reply, readSide, http);
    }

    private static async Task<Results<Accepted<ProjectionStatusResponse>, ProblemHttpResult>> RebuildAsync(
        string name, BankReadSide readSide, IRequiredActor<ProjectionsSingleton> projections, BankHttpSettings settings, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (!readSide.Projections.TryGet(name, out _)) return NotFound(name, readSide);
        // A failed reset leaves the projection running from its stored offset; the client is told 503 and may retry.
        var reply = await AskAsync(projections, new RebuildProjection(name), settings, cancellationToken);
        return reply is ProjectionReply.Status status
            ? TypedResults.Accepted(Location(name), ProjectionStatusResponse.From(status))
            : Problem(reply, readSide, http);
    }

    /// <summary>Null when the node that runs the projections did not answer in time (it may be moving to another node).</summary>
    private static async Task<ProjectionReply?> AskAsync(IRequiredActor<ProjectionsSingleton> projections, ProjectionRequest request, BankHttpSettings settings,
        CancellationToken cancellationToken)
    {
        try
        {
            return await projections.ActorRef.Ask<ProjectionReply>(request, settings.AskTimeout, cancellationToken);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    private static ProblemHttpResult Problem(ProjectionReply? reply, BankReadSide readSide, HttpContext http)
    {
        if (reply is ProjectionReply.Failed { NotFound: true } missing) return NotFound(missing.Name, readSide);
        http.Response.Headers.RetryAfter = "1";
        return reply is ProjectionReply.Failed failed
            ? ProblemResults.JournalUnavailable($"The read model's database did not answer ({failed.Reason}). Retry the request.")
            : ProblemResults.Problem(ProblemTypes.NotReady, "The node that runs the projections did not answer in time (it may be moving to another node). Retry the request.");
    }

    private static ProblemHttpResult NotFound(string name, BankReadSide readSide) =>
        ProblemResults.ProjectionNotFound(name, readSide.Projections.Projections.Select(p => p.Name));
}
