using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Bank.Actors.Accounts;
using Bank.Host.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bank.Host.Http;

/// <summary>The cluster as this node sees it: members, and the accounts' shards and entities per node.</summary>
public static class ClusterEndpoints
{
    public static RouteHandlerBuilder MapClusterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet("/cluster", GetAsync).WithTags("Cluster").WithName("GetCluster")
            .WithSummary("Members with status, roles and address; the accounts' shards and entities per node.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireBankPolicy(BankPolicies.Admin);
    }

    private static async Task<Results<Ok<ClusterResponse>, ProblemHttpResult>> GetAsync(
        ActorSystem system, IRequiredActor<AccountRegion> region, CancellationToken cancellationToken)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var members = state.Members
            .Select(m => new ClusterMemberResponse(m.Address.ToString(), m.Status.ToString(), m.Roles.Order(StringComparer.Ordinal).ToArray(),
                Reachable: !state.Unreachable.Contains(m), IsSelf: m.Address == cluster.SelfAddress))
            .OrderBy(m => m.Address, StringComparer.Ordinal)
            .ToArray();

        var timeout = TimeSpan.FromSeconds(3);
        ClusterShardingStats stats;
        try
        {
            stats = await region.ActorRef.Ask<ClusterShardingStats>(new GetClusterShardingStats(timeout), timeout + TimeSpan.FromSeconds(1), cancellationToken);
        }
        catch (AskTimeoutException)
        {
            return ProblemResults.Problem(ProblemTypes.NotReady, "The shard regions did not answer in time (the cluster may be changing).");
        }
        var nodes = stats.Regions
            .Select(pair => new ShardNodeResponse(pair.Key.ToString(), pair.Value.Stats.Count, pair.Value.Stats.Values.Sum(),
                pair.Value.Stats.Keys.Order(StringComparer.Ordinal).ToArray()))
            .OrderBy(n => n.Address, StringComparer.Ordinal)
            .ToArray();
        // The oldest Up member hosts the singletons: the shard coordinator and the projections.
        var oldest = state.Members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => m, Member.AgeOrdering).FirstOrDefault();
        return TypedResults.Ok(new ClusterResponse(cluster.SelfAddress.ToString(), state.Leader?.ToString(), oldest?.Address.ToString(), members, nodes));
    }
}

/// <param name="Oldest">The oldest Up member: it runs the cluster's singletons (the shard coordinator, the projections).</param>
public sealed record ClusterResponse(string Self, string? Leader, string? Oldest, IReadOnlyList<ClusterMemberResponse> Members, IReadOnlyList<ShardNodeResponse> Shards);

public sealed record ClusterMemberResponse(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable, bool IsSelf);

/// <param name="Shards">The accounts' shards this node hosts.</param>
/// <param name="Entities">The accounts in memory on this node.</param>
/// <param name="ShardIds">The ids of those shards (an account's shard is its id's hash modulo bank.accounts.shards).</param>
public sealed record ShardNodeResponse(string Address, int Shards, int Entities, IReadOnlyList<string> ShardIds);
