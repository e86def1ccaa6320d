using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Actors.Benchmarks.Http;
using Actors.Benchmarks.Persistence;
using Actors.Benchmarks.Shared;
using Bank.Actors.Accounts;
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
            var cluster = new Nodes(database);
            try
            {
                var clock = Stopwatch.StartNew();
                await cluster.StartAsync(nodes);
                context.Info(label, $"{nodes} node(s) ready in {clock.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", cluster.Hosts.Select(h => h.Address))}");
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
                    await cluster.AddAsync();
                    await cluster.WaitForMembersAsync(3);
                    rows.Add(Row(context, "failover-sigkill-oldest", FailoverTime,
                        (await FailoverAsync(context, cluster, ids, oldest: true, cancellationToken)).TotalSeconds,
                        "SIGKILL of the oldest node (shard coordinator, projections)"));
                }
            }
            finally
            {
                await cluster.DisposeAsync();
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

    private static async Task<string[]> OpenAccountsAsync(Nodes cluster, int accounts, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, accounts).Select(i => $"cb-{run}-{i:D6}").ToArray();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var host = cluster.Hosts[Math.Abs(id.GetHashCode()) % cluster.Hosts.Count];
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
    private static async Task<LoadFigures> LoadAsync(Nodes cluster, string[] ids, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var accountIds = ids.Select(Encoding.UTF8.GetBytes).ToArray();
        var connections = Enumerable.Range(0, concurrency).Select(i => RawHttpConnection.For(cluster.Hosts[i % cluster.Hosts.Count].Address)).ToArray();
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
                $"{concurrency} in flight over {cluster.Hosts.Count} node(s), {wall:0.0} s: {okTotal:N0} applied, {refusedTotal:N0} refused overdraws (409), {errorTotal:N0} errors; p50 {Stats.Percentile(all, 0.5):0.0} ms, p99 {Stats.Percentile(all, 0.99):0.0} ms"));
    }

    private sealed record LoadFigures(double Rate, double P50, double P99, string Summary);

    /// <summary>
    /// Through the first node, one request at a time: accounts whose shard lives on it and accounts whose shard lives on
    /// another node, alternating; GETs (the account's state from its actor) and deposits (a journal write as well).
    /// </summary>
    private static async Task<IEnumerable<BenchmarkResult>> RemoteHopAsync(BenchmarkContext context, Nodes cluster, string[] ids, int requests, CancellationToken cancellationToken)
    {
        var entry = cluster.Hosts[0];
        var local = await ShardIdsAsync(entry, cluster);
        var extractor = new AccountMessageExtractor(100);
        var byLocality = ids.ToLookup(id => local.Contains(extractor.ShardId(id, new GetAccount(id))));
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

    /// <summary>The shard ids a node hosts, as its GET /cluster reports them.</summary>
    private static async Task<HashSet<string>> ShardIdsAsync(HostProcess host, Nodes cluster)
    {
        var address = cluster.AddressOf(host);
        using var document = JsonDocument.Parse(await host.Client.GetStringAsync("/cluster"));
        var own = document.RootElement.GetProperty("shards").EnumerateArray().Single(s => s.GetProperty("address").GetString() == address);
        return own.GetProperty("shardIds").EnumerateArray().Select(s => s.GetString()!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>SIGKILL of a node; the time until each of three of its accounts answers GET through the others (probes every 100 ms).</summary>
    private static async Task<TimeSpan> FailoverAsync(BenchmarkContext context, Nodes cluster, string[] ids, bool oldest, CancellationToken cancellationToken)
    {
        using var view = JsonDocument.Parse(await cluster.Hosts[0].Client.GetStringAsync("/cluster", cancellationToken));
        var oldestAddress = view.RootElement.GetProperty("oldest").GetString();
        var victim = oldest ? cluster.Hosts.Single(h => cluster.AddressOf(h) == oldestAddress) : cluster.Hosts.Last(h => cluster.AddressOf(h) != oldestAddress);
        var shards = await ShardIdsAsync(victim, cluster);
        var extractor = new AccountMessageExtractor(100);
        var onVictim = ids.Where(id => shards.Contains(extractor.ShardId(id, new GetAccount(id)))).Take(3).ToList();
        if (onVictim.Count == 0) throw new InvalidOperationException("The node to kill hosts no account of the run.");

        var killedAt = Stopwatch.GetTimestamp();
        await victim.KillAsync();
        cluster.Remove(victim);
        var times = await Task.WhenAll(onVictim.Select(id => FirstAnswerAsync(cluster, id, killedAt, cancellationToken)));
        var slowest = times.Max();
        context.Info($"{context.Suite} failover", string.Create(CultureInfo.InvariantCulture,
            $"SIGKILL of {(oldest ? "the oldest node" : "a node that is not the oldest")}: its accounts answered again through the others after {string.Join(", ", times.Select(t => $"{t.TotalSeconds:0.00} s"))}"));
        await cluster.WaitForMembersAsync(cluster.Hosts.Count);
        return slowest;
    }

    private static async Task<TimeSpan> FirstAnswerAsync(Nodes cluster, string id, long since, CancellationToken cancellationToken)
    {
        var answered = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        giveUp.CancelAfter(TimeSpan.FromSeconds(60));
        var probes = new List<Task>();
        for (var i = 0; !answered.Task.IsCompleted && !giveUp.IsCancellationRequested; i++)
        {
            var host = cluster.Hosts[i % cluster.Hosts.Count];
            probes.Add(Task.Run(async () =>
            {
                try
                {
                    using var response = await host.Client.GetAsync($"/accounts/{id}", giveUp.Token);
                    if (response.StatusCode == HttpStatusCode.OK) answered.TrySetResult(Stopwatch.GetElapsedTime(since));
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    // Not yet.
                }
            }, CancellationToken.None));
            await Task.WhenAny(answered.Task, Task.Delay(100, CancellationToken.None));
        }
        await giveUp.CancelAsync();
        await Task.WhenAll(probes);
        if (!answered.Task.IsCompleted) throw new TimeoutException($"Account {id} did not answer within 60 s of the kill.");
        return await answered.Task;
    }

    /// <summary>The node processes of one configuration; the first seeds itself, later ones join those that run.</summary>
    private sealed class Nodes(string connectionString) : IAsyncDisposable
    {
        private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "bank-cluster-bench", Guid.NewGuid().ToString("N"));
        private readonly List<(HostProcess Host, int Port)> _nodes = [];
        private readonly List<HostProcess> _gone = [];

        public IReadOnlyList<HostProcess> Hosts => _nodes.Select(n => n.Host).ToList();

        public string AddressOf(HostProcess host) => $"akka.tcp://bank@127.0.0.1:{_nodes.Single(n => n.Host == host).Port}";

        public async Task StartAsync(int count)
        {
            await AddAsync();
            await Task.WhenAll(Enumerable.Range(1, count - 1).Select(_ => AddAsync()));
            await WaitForMembersAsync(count);
        }

        public async Task AddAsync()
        {
            var port = FreePort();
            List<int> seeds;
            lock (_nodes) seeds = _nodes.Count == 0 ? [port] : _nodes.Select(n => n.Port).ToList();
            var environment = new Dictionary<string, string>
            {
                ["BANK_JOURNAL"] = "postgres",
                ["ACTORS_POSTGRES"] = connectionString,
                ["BANK_CLUSTER_HOST"] = "127.0.0.1",
                ["BANK_CLUSTER_PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["BANK_CLUSTER_SEEDS"] = string.Join(",", seeds.Select(p => $"127.0.0.1:{p}")),
            };
            var host = await HostProcess.StartAsync(environment, Path.Combine(_directory, $"node-{port}"), StartTimeout);
            lock (_nodes) _nodes.Add((host, port));
        }

        public void Remove(HostProcess host)
        {
            lock (_nodes) _nodes.RemoveAll(n => n.Host == host);
            _gone.Add(host);
        }

        public async Task WaitForMembersAsync(int count)
        {
            var deadline = DateTime.UtcNow + StartTimeout;
            while (true)
            {
                var settled = true;
                foreach (var host in Hosts)
                {
                    try
                    {
                        using var view = JsonDocument.Parse(await host.Client.GetStringAsync("/cluster"));
                        var members = view.RootElement.GetProperty("members").EnumerateArray().ToList();
                        settled &= members.Count == count && members.All(m => m.GetProperty("status").GetString() == "Up" && m.GetProperty("reachable").GetBoolean());
                    }
                    catch (HttpRequestException)
                    {
                        settled = false;
                    }
                }
                if (settled) return;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"The nodes did not see {count} members Up within {StartTimeout.TotalSeconds:0} s.");
                await Task.Delay(100);
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var host in Hosts.Concat(_gone)) await host.DisposeAsync();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory must not fail the run.
            }
        }
    }
}
