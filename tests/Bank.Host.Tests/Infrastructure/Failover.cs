using System.Diagnostics;
using System.Net;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>
/// Measures how long accounts that lived on a node that died take to answer again through the others (the cluster
/// scenarios and the cluster benchmark, which links this file).
/// </summary>
public static class Failover
{
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The accounts of <paramref name="accounts"/> whose shards <paramref name="victim"/> hosts (asked before it goes).
    /// </summary>
    public static async Task<List<string>> AccountsOnAsync(ClusterNode victim, IEnumerable<string> accounts)
    {
        var shards = await victim.ShardIdsAsync();
        return accounts.Where(id => shards.Contains(BankCluster.ShardOf(id))).ToList();
    }

    /// <summary>
    /// From <paramref name="since"/> (a Stopwatch timestamp taken at the kill), the time until each account answers
    /// GET /accounts/{id} with 200 through a serving node; a new probe is started every 250 ms while the earlier ones still
    /// wait (an Ask buffered during the outage answers as soon as the shard lives again), so the figure is within 250 ms.
    /// Returns the slowest account's time.
    /// </summary>
    public static async Task<TimeSpan> TimeUntilAnsweredAsync(BankCluster cluster, IReadOnlyList<string> accounts, long since, TimeSpan giveUpAfter)
    {
        var times = await Task.WhenAll(accounts.Select(id => FirstAnswerAsync(cluster, id, since, giveUpAfter)));
        return times.Max();
    }

    private static async Task<TimeSpan> FirstAnswerAsync(BankCluster cluster, string accountId, long since, TimeSpan giveUpAfter)
    {
        var answered = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource(giveUpAfter);
        var probes = new List<Task>();
        while (!answered.Task.IsCompleted && !stop.IsCancellationRequested)
        {
            var node = cluster.Next();
            probes.Add(Task.Run(async () =>
            {
                try
                {
                    using var response = await node.Client.GetAsync($"/accounts/{accountId}", stop.Token);
                    if (response.StatusCode == HttpStatusCode.OK) answered.TrySetResult(Stopwatch.GetElapsedTime(since));
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    // Not yet: the next probe may be luckier.
                }
            }));
            await Task.WhenAny(answered.Task, Task.Delay(ProbeEvery));
        }
        await stop.CancelAsync();
        await Task.WhenAll(probes);
        if (!answered.Task.IsCompleted) throw new TimeoutException($"Account {accountId} did not answer within {giveUpAfter.TotalSeconds:0} s of the node's death.");
        return await answered.Task;
    }
}
