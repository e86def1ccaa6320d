using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>
/// Deposits and withdrawals, each with its own Idempotency-Key, sent through every serving node of a
/// <see cref="BankCluster"/> in turn while the test stops, kills or pauses nodes. Every answer is checked as it comes: 200
/// (applied), 409 insufficient-funds (refused, nothing persisted) or 503 with Retry-After (unknown outcome); anything
/// else is a violation. No answer (a node that died, a refused connection) is an unknown outcome too. At the end every
/// unknown command is sent again with its key until it has an answer, and the balances, the versions and the read model
/// must equal exactly the commands that were applied.
/// </summary>
public sealed class ClusterLoad
{
    public const decimal OpeningDeposit = 1000m;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(12);

    private readonly BankCluster _cluster;
    private readonly ConcurrentDictionary<Command, Outcome> _outcomes = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentQueue<string> _lostRequests = new();
    private readonly Random _random;
    private int _answered;

    private ClusterLoad(BankCluster cluster, string owner, string[] accounts, int seed)
    {
        _cluster = cluster;
        Owner = owner;
        Accounts = accounts;
        _random = new Random(seed);
    }

    public string Owner { get; }

    public IReadOnlyList<string> Accounts { get; }

    /// <summary>Commands answered so far (applied or refused).</summary>
    public int Answered => Volatile.Read(ref _answered);

    public IReadOnlyCollection<string> Violations => _violations;

    /// <summary>Requests that a node accepted and never answered (a timeout, a connection closed under them).</summary>
    public IReadOnlyCollection<string> LostRequests => _lostRequests;

    public int Unknown => _outcomes.Count(o => o.Value is Outcome.Unknown);

    /// <summary>Opens <paramref name="accounts"/> accounts with <see cref="OpeningDeposit"/>, through the nodes in turn.</summary>
    public static async Task<ClusterLoad> OpenAccountsAsync(BankCluster cluster, int accounts, int seed = 20261206)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var owner = "cluster-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, accounts).Select(i => $"cl-{i:D3}-{Guid.NewGuid():N}"[..24]).ToArray();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
        {
            // A 503 (an account's first shard allocation on a busy machine can outlast the ask timeout) is an unknown
            // outcome: the same key settles it, through whichever node comes next.
            await BankHttp.ExpectSettledAsync(() => cluster.Next().Client.PostJsonAsync("/accounts",
                $$"""{"accountId":"{{id}}","owner":"{{owner}}","initialDeposit":{{OpeningDeposit}}}""", "open-" + id), HttpStatusCode.Created);
        });
        return new ClusterLoad(cluster, owner, ids, seed);
    }

    /// <summary>Sends commands with <paramref name="inFlight"/> at a time until <paramref name="stop"/> is cancelled.</summary>
    public Task RunAsync(int inFlight, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Command command;
                lock (_random)
                    command = new Command($"key-{Guid.NewGuid():N}", Accounts[_random.Next(Accounts.Count)], _random.Next(100) < 55, _random.Next(1, 10_000) / 100m);
                var outcome = await SendAsync(command);
                _outcomes[command] = outcome;
                if (outcome is not Outcome.Unknown) Interlocked.Increment(ref _answered);
                else await Task.Delay(20, CancellationToken.None); // the node may be gone: do not spin on refused connections
            }
        })));

    /// <summary>Runs until <paramref name="answers"/> more commands have been answered (or the time is up).</summary>
    public async Task WaitForAnswersAsync(int answers, TimeSpan timeout)
    {
        var target = Answered + answers;
        await BankHttp.EventuallyAsync(() => Task.FromResult(Answered >= target), timeout, $"{answers} more answers under load");
    }

    /// <summary>Sends every command without an answer again, with its key, until each has one.</summary>
    public async Task ResendUnknownAsync()
    {
        var unknown = _outcomes.Where(o => o.Value is Outcome.Unknown).Select(o => o.Key).ToList();
        await Parallel.ForEachAsync(unknown, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (command, _) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                var outcome = await SendAsync(command);
                if (outcome is not Outcome.Unknown)
                {
                    _outcomes[command] = outcome;
                    return;
                }
                Assert.True(attempt < 20, $"{command} got no answer in {attempt} attempts after the cluster settled.");
                await Task.Delay(250);
            }
        });
    }

    /// <summary>
    /// Every balance and version equals the opening plus exactly the applied commands (through each serving node), and once
    /// the projection has every event, the read model (list and totals, through each node) agrees.
    /// </summary>
    public async Task AssertConsistentAsync()
    {
        Assert.True(_violations.IsEmpty, "Answers that are not allowed:\n" + string.Join("\n", _violations.Take(20)));
        Assert.DoesNotContain(_outcomes.Values, o => o is Outcome.Unknown);
        var byAccount = _outcomes.Where(o => o.Value is Outcome.Applied).GroupBy(o => o.Key.AccountId).ToDictionary(g => g.Key, g => g.Select(o => o.Key).ToList());
        var expected = Accounts.ToDictionary(id => id, id =>
        {
            var applied = byAccount.GetValueOrDefault(id) ?? [];
            return (Balance: OpeningDeposit + applied.Sum(c => c.Deposit ? c.Amount : -c.Amount), Version: 2L + applied.Count);
        });
        foreach (var node in _cluster.Nodes)
        {
            foreach (var id in Accounts)
            {
                var account = await SettledAsync(() => node.Client.GetAsync($"/accounts/{id}"));
                Assert.Equal(expected[id], (account.Balance(), account.Version()));
            }
        }

        var any = _cluster.Nodes[0];
        await BankHttp.EventuallyAsync(async () =>
        {
            var status = await SettledAsync(() => any.Client.GetAsync("/projections/bank-accounts"));
            return status.GetProperty("offset").GetInt64() >= status.GetProperty("highestOffset").GetInt64();
        }, TimeSpan.FromSeconds(60), "the read model to catch up with the journal");
        foreach (var node in _cluster.Nodes)
        {
            var listed = (await SettledAsync(() => node.Client.GetAsync($"/accounts?owner={Owner}&limit=1000")))
                .GetProperty("accounts").EnumerateArray().ToDictionary(a => a.GetProperty("accountId").GetString()!);
            Assert.Equal(Accounts.Order(StringComparer.Ordinal), listed.Keys.Order(StringComparer.Ordinal));
            foreach (var id in Accounts) Assert.Equal(expected[id], (listed[id].Balance(), listed[id].Version()));
        }
    }

    /// <summary>A read's 200 body; a 503 with Retry-After (an ask that timed out on a busy machine) is asked again, a few times.</summary>
    private static Task<JsonElement> SettledAsync(Func<Task<HttpResponseMessage>> read) => BankHttp.ExpectSettledAsync(read, HttpStatusCode.OK);

    private async Task<Outcome> SendAsync(Command command)
    {
        var node = _cluster.Next();
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            using var response = await node.Client.PostJsonAsync($"/accounts/{command.AccountId}/{(command.Deposit ? "deposits" : "withdrawals")}",
                string.Create(CultureInfo.InvariantCulture, $$"""{"amount":{{command.Amount}}}"""), command.Key, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    using (var body = JsonDocument.Parse(text)) return new Outcome.Applied(body.RootElement.GetProperty("version").GetInt64());
                case HttpStatusCode.Conflict when !command.Deposit && text.Contains("insufficient-funds", StringComparison.Ordinal):
                    return new Outcome.Refused();
                case HttpStatusCode.ServiceUnavailable when response.Headers.RetryAfter is not null:
                    return new Outcome.Unknown();
                default:
                    _violations.Enqueue($"{node}: {command} -> {(int)response.StatusCode} {text}");
                    return new Outcome.Unknown();
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or SocketException)
        {
            // A refused connection never reached the node (it stopped listening); anything else broke a request it had.
            if (e is not HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } })
                _lostRequests.Enqueue($"{node}: {command} -> {e.GetType().Name}: {e.Message}");
            return new Outcome.Unknown();
        }
    }

    public sealed record Command(string Key, string AccountId, bool Deposit, decimal Amount);

    public abstract record Outcome
    {
        public sealed record Applied(long Version) : Outcome;

        public sealed record Refused : Outcome;

        public sealed record Unknown : Outcome;
    }
}
