using System.Globalization;
using System.Net;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.Host.Tests;

/// <summary>The one three-node cluster (processes on loopback, one PostgreSQL database) that the scenarios of <see cref="ClusterScenarios"/> share.</summary>
public sealed class SharedClusterFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private BankCluster? _cluster;

    public async Task<BankCluster> ClusterAsync(PostgresServer server)
    {
        await _gate.WaitAsync();
        try
        {
            return _cluster ??= await BankCluster.StartAsync(await server.CreateDatabaseAsync(), 3);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        _gate.Dispose();
    }
}

/// <summary>
/// Three bank nodes as processes of their own, one Akka cluster on one PostgreSQL database, every request through any
/// node: load through all of them, a race between two nodes, a fourth node that joins and leaves, a rolling restart under
/// load. Each scenario leaves the cluster with three serving nodes for the next.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterScenarios(PostgresServer server, SharedClusterFixture fixture) : IClassFixture<SharedClusterFixture>
{
    private async Task<BankCluster> ThreeNodesAsync()
    {
        var cluster = await fixture.ClusterAsync(server);
        Assert.Equal(3, cluster.Nodes.Count);
        await cluster.WaitForMembersAsync(3);
        return cluster;
    }

    [Fact]
    public async Task Three_nodes_under_load_through_all_of_them_agree_on_every_balance_and_the_read_model_which_one_node_projects()
    {
        var cluster = await ThreeNodesAsync();
        var load = await ClusterLoad.OpenAccountsAsync(cluster, accounts: 30);
        using (var stop = new CancellationTokenSource())
        {
            var running = load.RunAsync(inFlight: 16, stop.Token);
            await load.WaitForAnswersAsync(600, TimeSpan.FromSeconds(120));
            await stop.CancelAsync();
            await running;
        }
        await load.ResendUnknownAsync();
        await load.AssertConsistentAsync();
        Assert.Empty(load.LostRequests);

        // The projection runs once, on the oldest node: every node's answer names it, and it never met another instance's offset.
        var oldest = (await cluster.Nodes[0].ClusterAsync())!.Value.GetProperty("oldest").GetString();
        foreach (var node in cluster.Nodes)
        {
            var status = await (await node.Client.GetAsync("/projections/bank-accounts")).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(oldest, status.GetProperty("node").GetString());
            Assert.Equal("running", status.GetProperty("state").GetString());
            Assert.Equal(0, status.GetProperty("restarts").GetInt32());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, status.GetProperty("lastError").ValueKind);
        }

        // Read-your-writes through nodes that do not run the projection: a deposit through one, its transaction through another.
        var others = cluster.Nodes.Where(n => n.Address != oldest).ToList();
        Assert.Equal(2, others.Count);
        var id = load.Accounts[0];
        var deposit = await (await others[0].Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":12.34}""", "ryw-" + Guid.NewGuid().ToString("N")))
            .ExpectAsync(HttpStatusCode.OK);
        var offset = deposit.Offset();
        var transactions = await (await others[1].Client.GetAsync($"/accounts/{id}/transactions?limit=1000&minOffset={offset}")).ExpectAsync(HttpStatusCode.OK);
        var last = transactions.GetProperty("transactions").EnumerateArray().Last();
        Assert.Equal(12.34m, last.GetProperty("amount").GetDecimal());
        Assert.Equal(deposit.Balance(), last.GetProperty("balanceAfter").GetDecimal());

        // A rebuild asked of a node that does not run the projection is done by the one that does; the read model refills.
        // The replay covers the whole shared database, which the scenarios before this one filled: it may take longer than
        // one read-your-writes wait, whose 503 read-model-behind says to ask again.
        var rebuild = await (await others[1].Client.PostAsync("/projections/bank-accounts/rebuild", null)).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal(oldest, rebuild.GetProperty("node").GetString());
        Assert.True(rebuild.GetProperty("rebuild").GetProperty("targetOffset").GetInt64() >= offset);
        var refilled = await BankHttp.ExpectSettledAsync(() => others[0].Client.GetAsync($"/accounts/{id}/transactions?limit=1000&minOffset={offset}"),
            HttpStatusCode.OK);
        Assert.Equal(transactions.GetProperty("transactions").GetArrayLength(), refilled.GetProperty("transactions").GetArrayLength());
    }

    [Fact]
    public async Task Two_withdrawals_of_70_from_100_through_two_nodes_at_once_exactly_one_succeeds_in_every_round()
    {
        var cluster = await ThreeNodesAsync();
        for (var round = 0; round < 20; round++)
        {
            var nodes = cluster.Nodes;
            var (first, second) = (nodes[round % 3], nodes[(round + 1) % 3]);
            var id = await first.Client.OpenSettledAsync(100m, owner: "race");
            var keys = new[] { "w1-" + Guid.NewGuid().ToString("N"), "w2-" + Guid.NewGuid().ToString("N") };
            var answers = await Task.WhenAll(
                WithdrawAsync(first.Client, id, keys[0]),
                WithdrawAsync(second.Client, id, keys[1]));
            Assert.True(answers.Count(a => a == HttpStatusCode.OK) == 1 && answers.Count(a => a == HttpStatusCode.Conflict) == 1,
                $"Round {round}: {string.Join(", ", answers)}");
            var account = await cluster.Nodes[(round + 2) % 3].Client.GetAccountAsync(id);
            Assert.Equal((30m, 3L), (account.Balance(), account.Version()));
        }
    }

    /// <summary>200 or 409; a 503 (the outcome unknown) is settled by sending it again with its key.</summary>
    private static async Task<HttpStatusCode> WithdrawAsync(HttpClient client, string id, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":70}""", key);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 5) return response.StatusCode;
        }
    }

    [Fact]
    public async Task A_fourth_node_joins_and_receives_shards_then_leaves_gracefully_and_its_accounts_answer_through_the_others()
    {
        var cluster = await ThreeNodesAsync();
        var fourth = await cluster.AddNodeAsync();
        await cluster.WaitForMembersAsync(4);

        // New accounts land in shards not allocated yet, which go to the region with the fewest: the new node's. The
        // coordinator also rebalances existing shards towards it.
        var accounts = new List<string>();
        await BankHttp.EventuallyAsync(async () =>
        {
            for (var i = 0; i < 5; i++) accounts.Add(await cluster.Next().Client.OpenSettledAsync(50m, owner: "fourth"));
            return (await fourth.TryShardIdsAsync())?.Count > 0;
        }, TimeSpan.FromSeconds(60), "the fourth node to host shards");
        var onFourth = await Failover.AccountsOnAsync(fourth, accounts);
        Assert.NotEmpty(onFourth);
        foreach (var id in onFourth) Assert.Equal(50m, (await fourth.Client.GetAccountAsync(id)).Balance());

        // SIGTERM: the node leaves, hands its shards off, and exits cleanly; its accounts answer through the others (the
        // first request of a moved shard allocates and recovers it, which can outlast the ask timeout: 503, sent again).
        Assert.Equal(0, await fourth.StopAsync());
        await cluster.WaitForMembersAsync(3);
        foreach (var id in onFourth)
        {
            var deposit = await BankHttp.ExpectSettledAsync(() =>
                cluster.Next().Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1}""", "after-leave-" + id), HttpStatusCode.OK);
            Assert.Equal((51m, 3L), (deposit.Balance(), deposit.Version()));
        }
    }

    [Fact]
    public async Task A_rolling_restart_of_every_node_under_load_answers_every_request_and_loses_nothing()
    {
        var cluster = await ThreeNodesAsync();
        var load = await ClusterLoad.OpenAccountsAsync(cluster, accounts: 30, seed: 7);
        var restarted = new List<string>();
        using (var stop = new CancellationTokenSource())
        {
            var running = load.RunAsync(inFlight: 12, stop.Token);
            await load.WaitForAnswersAsync(100, TimeSpan.FromSeconds(60));
            foreach (var node in cluster.Nodes.ToList())
            {
                // SIGTERM: Kestrel stops taking connections and finishes the requests it has, then the node leaves the
                // cluster and hands its shards off; requests through the others wait for a moving shard or get 503 + Retry-After.
                var exitCode = await node.StopAsync();
                Assert.True(exitCode == 0, $"{node} exited with {exitCode}:\n{node.Process.Output}");
                await cluster.WaitForMembersAsync(2);
                await node.RestartAsync();
                await cluster.WaitForMembersAsync(3);
                restarted.Add(node.ToString());
                await load.WaitForAnswersAsync(50, TimeSpan.FromSeconds(60));
            }
            await stop.CancelAsync();
            await running;
        }
        Assert.Equal(3, restarted.Count);
        Assert.True(load.LostRequests.Count == 0, "Requests a node took and never answered:\n" + string.Join("\n", load.LostRequests.Take(20)));
        await load.ResendUnknownAsync();
        await load.AssertConsistentAsync();
    }
}
