using System.Diagnostics;
using System.Globalization;
using Actors.Benchmarks.Nodes;
using Actors.Benchmarks.Shared;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Bank.Actors.Accounts;
using Bank.Domain;

namespace Actors.Benchmarks.Core;

/// <summary>
/// N accounts (10,000 by default), each opened with an initial deposit (AccountOpened + MoneyDeposited, stored through
/// the journal plugin in each variant's own format), are brought back on a node started cold on that database: each is
/// asked for its state through the shard region, all at once, so the shards create the entities, which recover
/// (Akka.Persistence lets max-concurrent-recoveries of them at a time) and answer. Two figures from the same run:
/// <list type="bullet">
/// <item>accounts recovered per second: N / the time from the first ask to the last answer;</item>
/// <item>managed bytes per idle recovered account: the live heap (GC.GetTotalMemory after full compacting collections,
/// two agreeing measurements) with the N accounts up and idle, minus the same before them (the node already up with
/// 100 warm accounts), divided by N. It counts all the node keeps per account: the shard's entries, the actor cell,
/// path, mailbox and death watch, the persistent actor's own state, the account state with its idempotency window.</item>
/// </list>
/// </summary>
public sealed class RecoveredAccountsBenchmark : Benchmark
{
    private const int WarmAccounts = 100;

    private readonly BenchOption<int> _accounts = new("accounts", 10_000, "How many accounts recover (at least 10,000 for the issue's figure).");
    private readonly BenchOption<string> _reference = new("reference-hocon", StockSnapshotsHocon,
        "HOCON for a second recovery of the group-commit variant's database right after each run (the -reference row; \"\" skips it). Default: Akka.Persistence.Sql's snapshot store instead of ours.");

    /// <summary>The default A/B: the product with the stock snapshot store instead of fast-sql.</summary>
    private const string StockSnapshotsHocon = "bank.snapshot-store = akka-sql";

    public override string Name => "recovered-accounts";
    public override string Description => "10,000 accounts recovered from cold through the shard region (SQLite): accounts/s, and live bytes per idle account.";
    public override IEnumerable<IBenchOption> Options => [_accounts, _reference];

    private const string Notes = "shared/AKKA-NOTES.md (cold start of 10,000 entities 23-35 s, ~300-430/s; ~5.1 KB per idle entity)";
    private static readonly Metric Rate = new("accounts/s", Better.Higher, 300, Notes);
    private static readonly Metric Memory = new("B/account", Better.Lower, 5_100, Notes);

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var count = Math.Max(1, context.Get(_accounts));
        var rate = new BenchmarkResult(context.Suite, "cold-recovery-rate", Rate);
        var reference = context.Get(_reference).Trim();
        var stockSnapshotRate = new BenchmarkResult(context.Suite, "cold-recovery-rate-reference", Rate);
        var stockSnapshotRates = new List<double>();
        var withStockSnapshots = reference.Length > 0 && context.Variants.Contains(Variant.GroupCommit);
        var memory = new BenchmarkResult(context.Suite, "idle-account-memory", Memory);
        var runs = context.Runs(1);
        RunStats oursStats = default;
        // A database per variant, seeded first; then the runs, interleaved (ours, plain, ours, plain ...), one node at a time
        // (so that the heap holds one node's accounts only).
        var databases = new Dictionary<Variant, BenchDatabase>();
        var rates = new Dictionary<Variant, List<double>>();
        var bytes = new Dictionary<Variant, List<double>>();
        try
        {
            foreach (var variant in context.Variants.Where(v => v.Available()))
            {
                var label = $"{Name} [{variant.Label()}]";
                try
                {
                    var database = databases[variant] = BenchDatabase.Sqlite();
                    await SeedAsync(context, label, variant, database.Store, count, cancellationToken);
                    (rates[variant], bytes[variant]) = ([], []);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    rate.Failures[variant] = memory.Failures[variant] = $"{e.GetType().Name}: {e.Message}";
                    context.Info(label, $"FAILED: {e.GetType().Name}: {e.Message}");
                }
            }
            for (var run = 1; run <= runs; run++)
            {
                foreach (var variant in rates.Keys.Where(v => !rate.Failures.ContainsKey(v)))
                {
                    var label = $"{Name} [{variant.Label()}]";
                    try
                    {
                        Measure.FullCollect();
                        var stats = RunStats.Start();
                        var (perSecond, perAccount, description) = await RecoverColdAsync(databases[variant].Store, variant, count, cancellationToken);
                        var last = stats.Stop();
                        if (variant == Variant.Ours) oursStats = last;
                        rates[variant].Add(perSecond);
                        bytes[variant].Add(perAccount);
                        context.Progress.Sample($"{context.Suite} {label}", $"run {run}/{runs}", perSecond, Rate.Unit,
                            string.Create(CultureInfo.InvariantCulture, $"{perAccount:N0} B/account idle; {last}"));
                        if (run == runs)
                            rate.Notes.Add(string.Create(CultureInfo.InvariantCulture,
                                $"{description}; {count:N0} accounts of 2 events each"));
                        if (variant != Variant.GroupCommit || !withStockSnapshots) continue;
                        // The same database, right after: the product with the reference HOCON (by default the stock snapshot store).
                        Measure.FullCollect();
                        var stockStats = RunStats.Start();
                        var (stockPerSecond, _, stockDescription) = await RecoverColdAsync(databases[variant].Store, variant, count, cancellationToken, reference);
                        stockSnapshotRates.Add(stockPerSecond);
                        context.Progress.Sample($"{context.Suite} {label} with {reference.ReplaceLineEndings(" ")}", $"run {run}/{runs}", stockPerSecond, Rate.Unit, stockStats.Stop().ToString());
                        if (run == runs) stockSnapshotRate.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"with {reference.ReplaceLineEndings(" ")}: {stockDescription}; {count:N0} accounts of 2 events each"));
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        rate.Failures[variant] = memory.Failures[variant] = $"{e.GetType().Name}: {e.Message}";
                        context.Info(label, $"FAILED: {e.GetType().Name}: {e.Message}");
                    }
                }
            }
            foreach (var variant in rates.Keys.Where(v => !rate.Failures.ContainsKey(v) && rates[v].Count > 0))
            {
                rate.With(variant, rates[variant]);
                memory.With(variant, bytes[variant]);
            }
            if (stockSnapshotRates.Count > 0) stockSnapshotRate.With(Variant.GroupCommit, stockSnapshotRates);
        }
        finally
        {
            foreach (var database in databases.Values) await database.DisposeAsync();
        }
        var stateBytes = await AccountStateBytesAsync(cancellationToken);
        memory.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"of which the account's own state (AccountState with its idempotency window of 2 commands, recovered from 2 events) is {stateBytes:N0} B; the rest is Akka's (actor, persistence, sharding)"));
        rate.Bottleneck = oursStats.Wall == TimeSpan.Zero ? "-" : string.Create(CultureInfo.InvariantCulture,
            $"three queries per account (snapshot, highest sequence number, events) through linq2db, max-concurrent-recoveries = 50: process {oursStats.ProcessCores:0.0} cores, machine {oursStats.MachineBusyCores:0.0} of {Environment.ProcessorCount}");
        memory.Bottleneck = "per entity: actor cell, mailbox, path and death watch, the persistent actor's journal/snapshot state and stash, the shard's maps, the account state with its idempotency window";
        stockSnapshotRate.Bottleneck = reference == StockSnapshotsHocon ? "Akka.Persistence.Sql's snapshot store: a linq2db query in a transaction per account" : "-";
        return withStockSnapshots ? [rate, stockSnapshotRate, memory] : [rate, memory];
    }

    /// <summary>Every account opened with an initial deposit of 1.00, plus the warm accounts, written by a node of this variant.</summary>
    private static async Task SeedAsync(BenchmarkContext context, string label, Variant variant, Store store, int count, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await using var node = await BenchNode.StartAsync(variant, store, cancellationToken);
        var at = DateTimeOffset.UtcNow.AddDays(-1);
        var ids = Enumerable.Range(0, count).Select(AccountData.Id).Concat(Enumerable.Range(0, WarmAccounts).Select(WarmId));
        await JournalSeeding.WriteAsync(node.System, ids.Select(id => (id, (IReadOnlyList<AccountEvent>)AccountData.History(id, 2, at).ToList())), cancellationToken,
            eventsPerWrite: 2, eventsPerCall: 2_000);
        context.Info(label, $"stored {count + WarmAccounts:N0} accounts of 2 events each in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static string WarmId(int i) => "warm-" + i.ToString(CultureInfo.InvariantCulture);

    private static async Task<(double PerSecond, double BytesPerAccount, string Description)> RecoverColdAsync(
        Store store, Variant variant, int count, CancellationToken cancellationToken, string? extraHocon = null)
    {
        // The bank's account settings, but no passivation within the run: on a slow (or busy) machine recovering 10,000
        // accounts can take longer than bank.accounts.passivate-after (2 min), and the first ones would leave again.
        var settings = BenchNode.ProductAccountSettings with { PassivateAfter = TimeSpan.FromHours(1) };
        await using var node = await BenchNode.StartAsync(variant, store, cancellationToken, settings, extraHocon);
        await AskAllAsync(node, WarmAccounts, WarmId, cancellationToken);
        await SettleAsync(node, WarmAccounts, cancellationToken);
        var before = await StableLiveBytesAsync(cancellationToken);

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await AskAllAsync(node, count, AccountData.Id, cancellationToken);
        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        await SettleAsync(node, WarmAccounts + count, cancellationToken);
        var after = await StableLiveBytesAsync(cancellationToken);
        GC.KeepAlive(node);
        return (count / clock.Elapsed.TotalSeconds, (double)(after - before) / count,
            string.Create(CultureInfo.InvariantCulture, $"{node.Description}; {allocated / (double)count / 1024:N0} KB allocated per account recovered"));
    }

    /// <summary>Asks every account for its state through the region, all at once, and checks each came back opened.</summary>
    private static async Task AskAllAsync(BenchNode node, int count, Func<int, string> id, CancellationToken cancellationToken)
    {
        var asks = new Task<AccountState>[count];
        for (var i = 0; i < count; i++) asks[i] = node.Region.Ask<AccountState>(new GetAccount(id(i)), TimeSpan.FromMinutes(5), cancellationToken);
        var states = await Task.WhenAll(asks);
        var wrong = states.Count(s => s.Status != AccountStatus.Open || s.Version != 2 || s.Balance != 1m);
        if (wrong > 0) throw new InvalidOperationException($"{wrong:N0} accounts did not recover as opened with 1.00 at version 2.");
    }

    /// <summary>Waits until the shards hold exactly <paramref name="expected"/> entities and the thread pool has no queued work.</summary>
    private static async Task SettleAsync(BenchNode node, int expected, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var stats = await node.Region.Ask<ShardRegionStats>(GetShardRegionStats.Instance, TimeSpan.FromSeconds(30), cancellationToken);
            var alive = stats.Stats.Values.Sum();
            if (alive == expected) break;
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                throw new InvalidOperationException($"{alive:N0} entities alive, {expected:N0} expected: some stopped or were passivated.");
            await Task.Delay(100, cancellationToken);
        }
        while (ThreadPool.PendingWorkItemCount > 0 && deadline.Elapsed < TimeSpan.FromSeconds(40)) await Task.Delay(10, cancellationToken);
        await Task.Delay(200, cancellationToken);
    }

    /// <summary>The live bytes of one recovered account's state alone: 10,000 of them, built as recovery builds them.</summary>
    private static async Task<double> AccountStateBytesAsync(CancellationToken cancellationToken)
    {
        const int count = 10_000;
        var at = DateTimeOffset.UtcNow;
        var window = BenchNode.ProductAccountSettings.IdempotencyWindow;
        var before = await StableLiveBytesAsync(cancellationToken);
        var states = new AccountState[count];
        for (var i = 0; i < count; i++)
        {
            var id = AccountData.Id(i);
            states[i] = AccountDecider.Fold(AccountState.Initial(id, window), AccountData.History(id, 2, at));
        }
        var after = await StableLiveBytesAsync(cancellationToken);
        GC.KeepAlive(states);
        return (after - before - (count * 8 + 24)) / (double)count;
    }

    /// <summary>The live heap after full compacting collections, once two measurements 200 ms apart agree within 0.2 %.</summary>
    private static async Task<long> StableLiveBytesAsync(CancellationToken cancellationToken)
    {
        long last = -1;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            Measure.FullCollect(2);
            var now = GC.GetTotalMemory(forceFullCollection: true);
            if (last > 0 && Math.Abs(now - last) <= last * 0.002) return now;
            last = now;
            await Task.Delay(200, cancellationToken);
        }
        return last;
    }
}
