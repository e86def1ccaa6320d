using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Actors.Benchmarks.Http;
using Actors.Benchmarks.Persistence;
using Actors.Benchmarks.Shared;
using Bank.Host.Tests.Infrastructure;

namespace Actors.Benchmarks.Clustered;

/// <summary>
/// The product (Bank.Host.dll of this build, group-commit journal, PostgreSQL) as separate processes on loopback, as an
/// operator runs them (BANK_CLUSTER_PORT, BANK_CLUSTER_SEEDS): first one node, then a three-node cluster on a new
/// database, each loaded the same way (the same accounts, the same connections in total, spread over the nodes round
/// robin): random deposits and withdrawals over keep-alive connections. On the cluster, then: the extra latency of a
/// request that lands on a node that does not own the account (one request at a time, local and remote accounts
/// alternating through the same node), and failover, the time from SIGKILL of a node to the first answer of each of its
/// accounts through the others (a non-oldest node, then the oldest, which hosts the shard coordinator and the projections).
/// </summary>
public sealed class ClusterBenchmark : Benchmark
{
    private readonly BenchOption<int> _accounts = new("accounts", 1_000, "How many accounts.");
    private readonly BenchOption<double> _duration = new("duration", 10, "Measured seconds per configuration.");
    private readonly BenchOption<int> _concurrency = new("concurrency", 48, "Requests in flight in total (= keep-alive connections, spread over the nodes).");
    private readonly BenchOption<double> _warmupSeconds = new("warmup-seconds", 3, "Seconds of load before measuring.");
    private readonly BenchOption<int> _hopRequests = new("hop-requests", 300, "Requests of each kind (local, remote; GET and deposit) for the remote hop.");

    public override string Name => "cluster";
    public override string Description => "1 node vs 3 nodes (processes, PostgreSQL): req/s and p99 under the same load; remote hop latency; failover after SIGKILL.";
    public override IEnumerable<IBenchOption> Options => [_accounts, _duration, _concurrency, _warmupSeconds, _hopRequests];

    private static readonly Metric Throughput = new("req/s", Better.Higher);
    private static readonly Metric Latency = new("ms", Better.Lower);
    private static readonly Metric FailoverTime = new("s", Better.Lower, Target: 10, TargetSource: "issue 12: a dead node's accounts answer again within 10 s");

    /// <summary>The nodes run the product as it ships: the group-commit journal's column.</summary>
    private const Variant Product = Variant.GroupCommit;

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var rows = new List<BenchmarkResult>();
        var accounts = Math.Max(10, context.Get(_accounts));
        var concurrency = Math.Clamp(context.Get(_concurrency), 1, 1024);
        var duration = TimeSpan.FromSeconds(Math.Clamp(context.Get(_duration), 1, 600));
        var warmup = TimeSpan.FromSeconds(Math.Clamp(context.Get(_warmupSeconds), 0, 60));
        var hopRequests = Math.Max(10, context.Get(_hopRequests));
        var label = Name;

        await using var postgres = await PostgresInstance.StartAsync(text => context.Info(label, text), cancellationToken);
        foreach (var nodes in new[] { 1, 3 })
        {
            var (database, drop) = await postgres.CreateDatabaseAsync(cancellationToken);
            BankCluster? cluster = null;
            try
            {
                var clock = Stopwatch.StartNew();
                cluster = await BankCluster.StartAsync(database, nodes);
                context.Info(label, $"{nodes} node(s) ready in {clock.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", cluster.Nodes.Select(n => n.Process.Address))}");
                var ids = await OpenAccountsAsync(cluster, accounts, cancellationToken);
                if (warmup > TimeSpan.Zero)
                {
                    var w = await LoadAsync(cluster, ids, concurrency, warmup, cancellationToken);
                    context.Progress.Sample($"{context.Suite} {nodes} node(s)", "warm-up", w.Rate, "req/s", w.Summary);
                }
                Measure.FullCollect();
                var run = await LoadAsync(cluster, ids, concurrency, duration, cancellationToken);
                context.Progress.Sample($"{context.Suite} {nodes} node(s)", "measured", run.Rate, "req/s", run.Summary);
                var name = nodes == 1 ? "1-node" : $"{nodes}-nodes";
                rows.Add(Row(context, name, Throughput, run.Rate, $"{nodes} node(s): {run.Summary}"));
                rows.Add(Row(context, name + "-p99", Latency, run.P99, $"{nodes} node(s): p50 {run.P50:0.0} ms, p99 {run.P99:0.0} ms"));

                if (nodes > 1)
                {
                    rows.AddRange(await RemoteHopAsync(context, cluster, ids, hopRequests, cancellationToken));
                    rows.Add(Row(context, "failover-sigkill", FailoverTime,
                        (await FailoverAsync(context, cluster, ids, oldest: false, cancellationToken)).TotalSeconds, "SIGKILL of a node that is not the oldest"));
                    // A fourth node first, so that a majority (two of three) survives the next kill.
                    await cluster.AddNodeAsync();
                    await cluster.WaitForMembersAsync(3);
                    rows.Add(Row(context, "failover-sigkill-oldest", FailoverTime,
                        (await FailoverAsync(context, cluster, ids, oldest: true, cancellationToken)).TotalSeconds,
                        "SIGKILL of the oldest node (shard coordinator, projections)"));
                }
            }
            finally
            {
                if (cluster is not null) await cluster.DisposeAsync();
                await drop();
            }
        }
        foreach (var row in rows) row.Bottleneck ??= "-";
        return rows;
    }

    private static BenchmarkResult Row(BenchmarkContext context, string name, Metric metric, double value, string note)
    {
        var row = new BenchmarkResult(context.Suite, name, metric).With(Product, [value]);
        row.Notes.Add(note);
        return row;
    }

    private static async Task<string[]> OpenAccountsAsync(BankCluster cluster, int accounts, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, accounts).Select(i => $"cb-{run}-{i:D6}").ToArray();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var host = cluster.Next();
            // A 503 (a busy machine, shards still being allocated) is an unknown outcome: the same key settles it.
            for (var attempt = 1; ; attempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/accounts")
                {
                    Content = new StringContent($$"""{"accountId":"{{id}}","owner":"bench","initialDeposit":1000}""", Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("Idempotency-Key", "open-" + id);
                using var response = await host.Client.SendAsync(request, ct);
                if (response.StatusCode == HttpStatusCode.Created) return;
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 10)
                    throw new InvalidOperationException($"Opening {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
        });
        return ids;
    }

    /// <summary>Connection i goes to node i mod N: the same connections in total whatever the number of nodes.</summary>
    private static async Task<LoadFigures> LoadAsync(BankCluster cluster, string[] ids, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var accountIds = ids.Select(Encoding.UTF8.GetBytes).ToArray();
        var nodes = cluster.Nodes;
        var connections = Enumerable.Range(0, concurrency).Select(i => RawHttpConnection.For(nodes[i % nodes.Count].Process.Address, TestTokens.Staff)).ToArray();
        var perConnection = new (List<double> Latencies, int Ok, int Refused, int Errors)[concurrency];
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        try
        {
            await Task.WhenAll(connections.Select((connection, i) => Task.Run(async () =>
            {
                var random = new Random(i * 7919 + 1);
                var latencies = new List<double>(4096);
                var (ok, refused, errors) = (0, 0, 0);
                while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
                {
                    var length = BankLoadRequests.WriteChange(connection, accountIds[random.Next(accountIds.Length)], random.Next(100) < 55, random.Next(1, 10_000));
                    var sent = Stopwatch.GetTimestamp();
                    try
                    {
                        var status = await connection.SendAsync(length, cancellationToken);
                        latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                        if (status == 200) ok++;
                        else if (status == 409) refused++;
                        else errors++;
                    }
                    catch (Exception e) when (e is IOException or SocketException)
                    {
                        errors++;
                    }
                }
                perConnection[i] = (latencies, ok, refused, errors);
            }, CancellationToken.None)));
        }
        finally
        {
            foreach (var connection in connections) await connection.DisposeAsync();
        }
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = perConnection.SelectMany(p => p.Latencies).Order().ToList();
        var (okTotal, refusedTotal, errorTotal) = (perConnection.Sum(p => p.Ok), perConnection.Sum(p => p.Refused), perConnection.Sum(p => p.Errors));
        return new LoadFigures((okTotal + refusedTotal) / wall, Stats.Percentile(all, 0.5), Stats.Percentile(all, 0.99),
            string.Create(CultureInfo.InvariantCulture,
                $"{concurrency} in flight over {nodes.Count} node(s), {wall:0.0} s: {okTotal:N0} applied, {refusedTotal:N0} refused overdraws (409), {errorTotal:N0} errors; p50 {Stats.Percentile(all, 0.5):0.0} ms, p99 {Stats.Percentile(all, 0.99):0.0} ms"));
    }

    private sealed record LoadFigures(double Rate, double P50, double P99, string Summary);

    /// <summary>
    /// Through the first node, one request at a time: accounts whose shard lives on it and accounts whose shard lives on
    /// another node, alternating; GETs (the account's state from its actor) and deposits (a journal write as well).
    /// </summary>
    private static async Task<IEnumerable<BenchmarkResult>> RemoteHopAsync(BenchmarkContext context, BankCluster cluster, string[] ids, int requests, CancellationToken cancellationToken)
    {
        var entry = cluster.Nodes[0];
        var local = await entry.ShardIdsAsync();
        var byLocality = ids.ToLookup(id => local.Contains(BankCluster.ShardOf(id)));
        var (mine, theirs) = (byLocality[true].ToArray(), byLocality[false].ToArray());
        if (mine.Length == 0 || theirs.Length == 0) throw new InvalidOperationException("The first node hosts all shards or none: no remote hop to measure.");

        var rows = new List<BenchmarkResult>();
        foreach (var (kind, deposit) in new[] { ("get", false), ("deposit", true) })
        {
            var times = (Local: new List<double>(), Remote: new List<double>());
            for (var i = 0; i < requests * 2; i++)
            {
                var remote = i % 2 == 1;
                var pool = remote ? theirs : mine;
                var id = pool[i / 2 % pool.Length];
                var sent = Stopwatch.GetTimestamp();
                using var response = deposit
                    ? await entry.Client.PostAsync($"/accounts/{id}/deposits", new StringContent("""{"amount":0.01}""", Encoding.UTF8, "application/json"), cancellationToken)
                    : await entry.Client.GetAsync($"/accounts/{id}", cancellationToken);
                var ms = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{kind} {id}: {(int)response.StatusCode}");
                (remote ? times.Remote : times.Local).Add(ms);
            }
            var (localP50, remoteP50) = (Stats.Median(times.Local), Stats.Median(times.Remote));
            var note = string.Create(CultureInfo.InvariantCulture,
                $"{kind}, one at a time through one node: own shard p50 {localP50:0.00} ms, another node's shard p50 {remoteP50:0.00} ms ({requests} each, {mine.Length} local and {theirs.Length} remote accounts)");
            context.Info($"{context.Suite} remote hop", note);
            rows.Add(Row(context, $"remote-hop-{kind}-p50-local", Latency, localP50, note));
            rows.Add(Row(context, $"remote-hop-{kind}-p50-remote", Latency, remoteP50, note));
            rows.Add(Row(context, $"remote-hop-{kind}-extra", Latency, remoteP50 - localP50, note));
        }
        return rows;
    }

    /// <summary>SIGKILL of a node; the time until each of three of its accounts answers GET through the others (the slowest).</summary>
    private static async Task<TimeSpan> FailoverAsync(BenchmarkContext context, BankCluster cluster, string[] ids, bool oldest, CancellationToken cancellationToken)
    {
        using var view = JsonDocument.Parse(await cluster.Nodes[0].Client.GetStringAsync("/cluster", cancellationToken));
        var oldestAddress = view.RootElement.GetProperty("oldest").GetString();
        var victim = oldest ? cluster.Nodes.Single(n => n.Address == oldestAddress) : cluster.Nodes.Last(n => n.Address != oldestAddress);
        var onVictim = (await Failover.AccountsOnAsync(victim, ids)).Take(3).ToList();
        if (onVictim.Count == 0) throw new InvalidOperationException("The node to kill hosts no account of the run.");

        var killedAt = Stopwatch.GetTimestamp();
        await victim.KillAsync();
        var slowest = await Failover.TimeUntilAnsweredAsync(cluster, onVictim, killedAt, TimeSpan.FromSeconds(60));
        context.Info($"{context.Suite} failover", string.Create(CultureInfo.InvariantCulture,
            $"SIGKILL of {(oldest ? "the oldest node" : "a node that is not the oldest")}: {onVictim.Count} of its accounts answered again through the others after {slowest.TotalSeconds:0.00} s (the slowest)"));
        await cluster.WaitForMembersAsync(cluster.Nodes.Count);
        return slowest;
    }
}
