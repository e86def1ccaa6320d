using Bank.ReadModels;
using Akka.Actor;
using Akka.Cluster;
using Bank.Host.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bank.Host.Http;

/// <summary>Liveness (the process answers) and readiness (the node is an Up cluster member and the journal answers).</summary>
public static class HealthEndpoints
{
    public static RouteGroupBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", () => TypedResults.Ok(new HealthResponse("live")))
            .WithName("Live").WithSummary("200 whenever the process runs.");
        group.MapGet("/ready", ReadyAsync)
            .WithName("Ready").WithSummary("200 when this node is Up in its cluster and the journal answers, else 503.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> ReadyAsync(
        ActorSystem system, JournalPositions journal, BankHttpSettings settings, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var status = Cluster.Get(system).SelfMember.Status;
        if (status != MemberStatus.Up)
            return ProblemResults.Problem(ProblemTypes.NotReady, $"This node is {status} in its cluster, not Up: it does not take requests yet.");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.AskTimeout);
            await journal.HighestOffsetAsync(timeout.Token).WaitAsync(timeout.Token);
            return TypedResults.Ok(new HealthResponse("ready"));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            loggers.CreateLogger(typeof(HealthEndpoints).FullName!).LogWarning(e, "Readiness probe: the journal did not answer.");
            return ProblemResults.JournalUnavailable($"The journal did not answer the readiness probe: {e.Message}");
        }
    }
}
