using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bank.Actors.Accounts;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>
/// Bank hosts as processes of their own (<see cref="HostProcess"/>) forming one Akka cluster on loopback, on one fresh
/// PostgreSQL database, configured as an operator would (BANK_CLUSTER_PORT, BANK_CLUSTER_SEEDS,
/// BANK_JOURNAL=postgres, ACTORS_POSTGRES). The first node forms the cluster; every later one joins the nodes up at its
/// start. Each node keeps its remoting port for its life, also across a restart. Used by the cluster scenarios and by
/// the cluster benchmark (tests/Benchmarks links this file), so it throws rather than asserts.
/// </summary>
public sealed class BankCluster : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _connectionString;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "bank-host-tests", "cluster-" + Guid.NewGuid().ToString("N"));
    private readonly Lock _gate = new();
    private readonly List<ClusterNode> _nodes = [];
    private int _started;

    private BankCluster(string connectionString) => _connectionString = connectionString;

    /// <summary>The nodes that were started and not yet stopped or killed (by this class), in start order.</summary>
    public IReadOnlyList<ClusterNode> Nodes
    {
        get { lock (_gate) return _nodes.Where(n => n.IsServing).ToList(); }
    }

    /// <summary>The shard of an account (bank.accounts.shards = 100, as in hocon/bank.conf).</summary>
    public static string ShardOf(string accountId) => new AccountMessageExtractor(100).ShardId(accountId, new GetAccount(accountId));

    /// <summary>Starts <paramref name="nodes"/> nodes on an empty database: the first alone, then the others at once.</summary>
    public static async Task<BankCluster> StartAsync(string connectionString, int nodes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var cluster = new BankCluster(connectionString);
        try
        {
            await cluster.AddNodeAsync();
            await Task.WhenAll(Enumerable.Range(1, nodes - 1).Select(_ => cluster.AddNodeAsync()));
            await cluster.WaitForMembersAsync(nodes);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more node that joins the serving ones, and waits until it is ready.</summary>
    public async Task<ClusterNode> AddNodeAsync()
    {
        var number = Interlocked.Increment(ref _started);
        var node = new ClusterNode(this, number, FreeTcpPort());
        await node.StartAsync(SeedsFor(node));
        lock (_gate) _nodes.Add(node);
        return node;
    }

    /// <summary>Waits until every serving node sees <paramref name="count"/> members, all Up and reachable.</summary>
    public async Task WaitForMembersAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? StartTimeout);
        while (!await AllSeeAsync(count))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not every node saw {count} members Up and reachable within {(timeout ?? StartTimeout).TotalSeconds:0} s.");
            await Task.Delay(50);
        }
    }

    private async Task<bool> AllSeeAsync(int count)
    {
        foreach (var node in Nodes)
        {
            var view = await node.ClusterAsync();
            if (view is not { } members) return false;
            var list = members.GetProperty("members").EnumerateArray().ToList();
            if (list.Count != count || list.Any(m => m.GetProperty("status").GetString() != "Up" || !m.GetProperty("reachable").GetBoolean())) return false;
        }
        return true;
    }

    /// <summary>Each serving node in turn (round robin), for load that goes through all of them.</summary>
    public ClusterNode Next()
    {
        var serving = Nodes;
        if (serving.Count == 0) throw new InvalidOperationException("No node of the cluster is serving.");
        return serving[(int)((uint)Interlocked.Increment(ref _roundRobin) % serving.Count)];
    }

    private int _roundRobin;

    internal IReadOnlyDictionary<string, string> EnvironmentFor(ClusterNode node, IReadOnlyList<int> seeds) => new Dictionary<string, string>
    {
        ["BANK_JOURNAL"] = "postgres",
        ["ACTORS_POSTGRES"] = _connectionString,
        ["BANK_CLUSTER_HOST"] = "127.0.0.1",
        ["BANK_CLUSTER_PORT"] = node.RemotingPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["BANK_CLUSTER_SEEDS"] = string.Join(",", seeds.Select(port => $"127.0.0.1:{port}")),
    };

    internal string DirectoryFor(ClusterNode node) => Path.Combine(_directory, $"node-{node.Number}");

    /// <summary>The first node seeds itself (it forms the cluster); any later one joins the nodes that serve.</summary>
    internal IReadOnlyList<int> SeedsFor(ClusterNode node)
    {
        var others = Nodes.Where(n => n != node).Select(n => n.RemotingPort).ToList();
        return others.Count == 0 ? [node.RemotingPort] : others;
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        List<ClusterNode> all;
        lock (_gate) all = [.. _nodes];
        await Task.WhenAll(all.Select(n => n.DisposeAsync().AsTask()));
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

/// <summary>One node of a <see cref="BankCluster"/>: its remoting port (kept across restarts) and its current process.</summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly BankCluster _cluster;

    internal ClusterNode(BankCluster cluster, int number, int remotingPort)
    {
        _cluster = cluster;
        Number = number;
        RemotingPort = remotingPort;
    }

    public int Number { get; }

    public int RemotingPort { get; }

    /// <summary>The node's cluster address, as /cluster names members.</summary>
    public string Address => $"akka.tcp://bank@127.0.0.1:{RemotingPort}";

    public HostProcess Process { get; private set; } = null!;

    public HttpClient Client => Process.Client;

    /// <summary>False once the test stopped, killed or paused it (load then goes to the others).</summary>
    public bool IsServing { get; private set; }

    internal async Task StartAsync(IReadOnlyList<int> seeds)
    {
        Process = await HostProcess.StartAsync(_cluster.EnvironmentFor(this, seeds), _cluster.DirectoryFor(this), BankCluster.StartTimeout);
        IsServing = true;
    }

    /// <summary>Starts the node again (after a stop) on the same remoting port; it joins the nodes that serve.</summary>
    public async Task RestartAsync()
    {
        if (!Process.HasExited) throw new InvalidOperationException($"Node {Number} still runs.");
        await Process.DisposeAsync();
        await StartAsync(_cluster.SeedsFor(this));
    }

    /// <summary>SIGKILL.</summary>
    public Task KillAsync()
    {
        IsServing = false;
        return Process.KillAsync();
    }

    /// <summary>SIGTERM; returns the exit code.</summary>
    public Task<int> StopAsync()
    {
        IsServing = false;
        return Process.StopAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGSTOP.</summary>
    public void Pause()
    {
        IsServing = false;
        Process.Pause();
    }

    /// <summary>SIGCONT. The node stays out of the load: a node frozen past the failure detector was downed.</summary>
    public void Resume() => Process.Resume();

    /// <summary>GET /cluster as this node sees it, or null when it does not answer 200.</summary>
    public async Task<JsonElement?> ClusterAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var response = await Client.GetAsync("/cluster", timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK) return null;
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            return document.RootElement.Clone();
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The shard ids this node hosts, as it reports them.</summary>
    public async Task<HashSet<string>> ShardIdsAsync() =>
        await TryShardIdsAsync() ?? throw new InvalidOperationException($"Node {Number} did not answer GET /cluster with its own shards.");

    /// <summary>
    /// The shard ids this node hosts, or null when it does not say (yet): GET /cluster was not 200 (the regions did not
    /// answer in time), or the shard statistics do not list this node's region (not registered, or it did not answer).
    /// </summary>
    public async Task<HashSet<string>?> TryShardIdsAsync()
    {
        if (await ClusterAsync() is not { } view) return null;
        var own = view.GetProperty("shards").EnumerateArray().Where(s => s.GetProperty("address").GetString() == Address).ToList();
        return own.Count == 1
            ? own[0].GetProperty("shardIds").EnumerateArray().Select(id => id.GetString()!).ToHashSet(StringComparer.Ordinal)
            : null;
    }

    public override string ToString() => $"node {Number} ({Address})";

    public ValueTask DisposeAsync() => Process?.DisposeAsync() ?? ValueTask.CompletedTask;
}
