using Bank.Host.Auth;
using Bank.Host.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bank.Host.Http;

/// <summary>The projections that keep the read models: how far they are, and rebuilding one from the start of the journal.</summary>
public static class ProjectionEndpoints
{
    public static string Location(string name) => $"/projections/{Uri.EscapeDataString(name)}";

    public static RouteGroupBuilder MapProjectionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/projections").WithTags("Projections").RequireBankPolicy(BankPolicies.Admin);
        group.MapGet("", ListAsync).WithName("ListProjections")
            .WithSummary("Every projection: state, offset, events and seconds behind the journal, errors, rebuild progress.");
        group.MapGet("/{name}", GetAsync).WithName("GetProjection")
            .WithSummary("One projection's status; poll it to follow a rebuild.")
            .ProducesProblems(404);
        group.MapPost("/{name}/rebuild", RebuildAsync).WithName("RebuildProjection")
            .WithSummary("Rebuilds a projection's read model from the start of the journal while the host keeps running.")
            .WithDescription("Empties the read model and resets the offset in one transaction, then replays every event. Answers 202 once "
                             + "the replay has begun, with the status (state rebuilding, rebuild progress) and its Location to poll. "
                             + "Meanwhile queries see the read model refill; with minOffset they wait for the replay to come by.")
            .ProducesProblems(404, 503);
        return group;
    }

    private static async Task<Ok<ProjectionListResponse>> ListAsync(BankReadSide readSide, CancellationToken cancellationToken)
    {
        var statuses = await readSide.Projections.GetStatusesAsync(cancellationToken);
        return TypedResults.Ok(new ProjectionListResponse(statuses.Select(ProjectionStatusResponse.From).ToArray()));
    }

    private static async Task<Results<Ok<ProjectionStatusResponse>, ProblemHttpResult>> GetAsync(string name, BankReadSide readSide, CancellationToken cancellationToken)
    {
        if (!readSide.Projections.TryGet(name, out var projection)) return NotFound(name, readSide);
        return TypedResults.Ok(ProjectionStatusResponse.From(await projection.GetStatusAsync(cancellationToken)));
    }

    private static async Task<Results<Accepted<ProjectionStatusResponse>, ProblemHttpResult>> RebuildAsync(
        string name, BankReadSide readSide, CancellationToken cancellationToken)
    {
        if (!readSide.Projections.TryGet(name, out var projection)) return NotFound(name, readSide);
        // A failed reset leaves the projection running from its stored offset; the client is told 503 and may retry.
        await JournalGuard.ReadAsync(projection.RebuildAsync, cancellationToken);
        var status = await projection.GetStatusAsync(cancellationToken);
        return TypedResults.Accepted(Location(name), ProjectionStatusResponse.From(status));
    }

    private static ProblemHttpResult NotFound(string name, BankReadSide readSide) =>
        ProblemResults.ProjectionNotFound(name, readSide.Projections.Projections.Select(p => p.Name));
}
