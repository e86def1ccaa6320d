using System.Diagnostics;
using System.Net;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;
using Xunit.Abstractions;

namespace Bank.Host.Tests;

/// <summary>
/// A node of a three-node cluster dies (SIGKILL) or freezes (SIGSTOP) in the middle of a load through all nodes: its
/// accounts answer again through the others (measured from the signal to the first 200 of each of its accounts; the
/// 10 s target is the cluster benchmark's to check, on a quiet machine: here the bound only catches a failover that
/// hangs), every command without an answer is sent again with its Idempotency-Key, and then every balance equals the
/// commands acknowledged and the read model agrees. Each scenario has a cluster of its own.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterFailoverScenarios(PostgresServer server, ITestOutputHelper output) : IAsyncLifetime
{
    // Three nodes, PostgreSQL and the test run share two cores: 7-8 s on a quiet machine, 10.8 s once at load 30.
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(25);
    private BankCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await BankCluster.StartAsync(await server.CreateDatabaseAsync(), 3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_killed_node_that_is_not_the_oldest_has_its_accounts_answer_again_and_nothing_acknowledged_is_lost()
    {
        var oldest = await OldestAsync();
        var victim = _cluster.Nodes.Last(n => n.Address != oldest);
        await KillUnderLoadAsync(victim);
    }

    [Fact]
    public async Task A_killed_oldest_node_with_the_shard_coordinator_and_the_projections_has_its_accounts_answer_again()
    {
        var oldest = await OldestAsync();
        var victim = _cluster.Nodes.Single(n => n.Address == oldest);
        await KillUnderLoadAsync(victim);

        // The projections moved with the singleton to the new oldest node, and went on from the stored offset.
        var newOldest = await OldestAsync();
        Assert.NotEqual(oldest, newOldest);
        var status = await (await _cluster.Nodes[0].Client.GetAsync("/projections/bank-accounts")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(newOldest, status.GetProperty("node").GetString());
    }

    [Fact]
    public async Task A_node_frozen_past_the_failure_detector_is_downed_and_when_it_wakes_it_serves_nothing_and_exits()
    {
        var oldest = await OldestAsync();
        var victim = _cluster.Nodes.Last(n => n.Address != oldest);
        var load = await ClusterLoad.OpenAccountsAsync(_cluster, accounts: 30);
        var onVictim = await Failover.AccountsOnAsync(victim, load.Accounts);
        Assert.NotEmpty(onVictim);

        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(inFlight: 12, stop.Token);
        await load.WaitForAnswersAsync(150, TimeSpan.FromSeconds(60));
        var frozenAt = Stopwatch.GetTimestamp();
        victim.Pause();
        var failover = await Failover.TimeUntilAnsweredAsync(_cluster, onVictim.Take(3).ToList(), frozenAt, TimeSpan.FromSeconds(30));
        output.WriteLine($"Failover after SIGSTOP of {victim}: {failover.TotalSeconds:0.00} s for {Math.Min(3, onVictim.Count)} of its {onVictim.Count} accounts.");
        Assert.True(failover < FailoverBound, $"The frozen node's accounts answered again after {failover.TotalSeconds:0.0} s.");
        await _cluster.WaitForMembersAsync(2);

        // Requests that reach the frozen node wait in its sockets; it wakes up to them. It must serve none of them: no
        // account answers, no deposit persisted (the others own its accounts now).
        var id = onVictim[0];
        var key = "frozen-" + Guid.NewGuid().ToString("N");
        var read = TryAsync(victim.Client.GetAsync($"/accounts/{id}"));
        var write = TryAsync(victim.Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":5}""", key));
        await Task.Delay(200); // let the requests reach the socket (there is nothing to wait on in a frozen process)
        victim.Resume();
        var answers = new[] { await read, await write };
        output.WriteLine($"The woken node answered: {string.Join(", ", answers.Select(a => a?.ToString() ?? "no answer"))}.");
        foreach (var answer in answers)
        {
            Assert.True(answer is null or HttpStatusCode.ServiceUnavailable, $"The woken node answered {answer}.\n{victim.Process.Output}");
        }
        Assert.True(await victim.Process.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"The downed node did not exit after it woke.\n{victim.Process.Output}");

        await stop.CancelAsync();
        await running;
        await load.ResendUnknownAsync();
        // Also: the deposit the woken node refused is not among the load's commands, so had it been applied, its account's
        // balance and version would be off here.
        await load.AssertConsistentAsync();
    }

    private static async Task<HttpStatusCode?> TryAsync(Task<HttpResponseMessage> request)
    {
        try
        {
            using var response = await request;
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    private async Task KillUnderLoadAsync(ClusterNode victim)
    {
        var load = await ClusterLoad.OpenAccountsAsync(_cluster, accounts: 30);
        var onVictim = await Failover.AccountsOnAsync(victim, load.Accounts);
        Assert.NotEmpty(onVictim);

        using (var stop = new CancellationTokenSource())
        {
            var running = load.RunAsync(inFlight: 12, stop.Token);
            await load.WaitForAnswersAsync(150, TimeSpan.FromSeconds(60));
            var killedAt = Stopwatch.GetTimestamp();
            await victim.KillAsync();
            var failover = await Failover.TimeUntilAnsweredAsync(_cluster, onVictim.Take(3).ToList(), killedAt, TimeSpan.FromSeconds(30));
            output.WriteLine($"Failover after SIGKILL of {victim}: {failover.TotalSeconds:0.00} s for {Math.Min(3, onVictim.Count)} of its {onVictim.Count} accounts.");
            Assert.True(failover < FailoverBound, $"The killed node's accounts answered again after {failover.TotalSeconds:0.0} s.");
            await load.WaitForAnswersAsync(100, TimeSpan.FromSeconds(60));
            await stop.CancelAsync();
            await running;
        }
        await _cluster.WaitForMembersAsync(2);
        await load.ResendUnknownAsync();
        await load.AssertConsistentAsync();
    }

    private async Task<string> OldestAsync()
    {
        var view = await _cluster.Nodes[0].ClusterAsync() ?? throw new InvalidOperationException("GET /cluster did not answer.");
        return view.GetProperty("oldest").GetString()!;
    }
}
