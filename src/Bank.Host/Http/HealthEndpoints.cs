using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Bank.Actors.Accounts;
using Bank.Host.Hosting;
using Bank.ReadModels;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bank.Host.Http;

/// <summary>
/// Liveness (the process answers) and readiness (the node is an Up cluster member, the accounts' shard region has
/// registered with its coordinator, and the journal answers).
/// </summary>
public static class HealthEndpoints
{
    public static RouteGroupBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", () => TypedResults.Ok(new HealthResponse("live")))
            .WithName("Live").WithSummary("200 whenever the process runs.");
        group.MapGet("/ready", ReadyAsync)
            .WithName("Ready").WithSummary("200 when this node is Up in its cluster, its shard region is registered and the journal answers, else 503.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    /// <summary>Only a region that knows its coordinator answers cluster-wide sharding statistics.</summary>
    private static async Task<bool> RegionRegisteredAsync(IActorRef region, CancellationToken cancellationToken)
    {
        var wait = TimeSpan.FromSeconds(1);
        try
        {
            await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(wait), wait + wait, cancellationToken);
            return true;
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }

    private static async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> ReadyAsync(
        ActorSystem system, IRequiredActor<AccountRegion> region, JournalPositions journal, BankHttpSettings settings, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var status = Cluster.Get(system).SelfMember.Status;
        if (status != MemberStatus.Up)
            return ProblemResults.Problem(ProblemTypes.NotReady, $"This node is {status} in its cluster, not Up: it does not take requests yet.");
        if (!await RegionRegisteredAsync(region.ActorRef, cancellationToken))
            return ProblemResults.Problem(ProblemTypes.NotReady, "The accounts' shard region has not registered with its coordinator yet.");
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
