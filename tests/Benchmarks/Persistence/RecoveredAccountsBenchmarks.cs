using System.CommandLine;
using System.Diagnostics;
using Actors.Benchmarks.Shared;
using Actors.Core;
using Actors.Core.Entities;
using Bank.Actors;

namespace Actors.Benchmarks.Persistence;

/// <summary>
/// N accounts, each opened with one event (AccountOpened, stored in SQLite exactly as the account actor writes it),
/// brought back by asking each one for its state through the region: the region creates the actor, which recovers
/// (snapshot query, replay) and answers. Every run starts a new actor system on the same database.
/// </summary>
internal static class RecoveredAccounts
{
    public const int WarmAccounts = 100;

    public static string WarmId(int i) => "warm-" + i;

    /// <summary>A SQLite database with <paramref name="count"/> opened accounts, plus <see cref="WarmAccounts"/> more for warming up.</summary>
    public static async Task<BenchStores> PopulateAsync(int count, BenchmarkContext context, string label, CancellationToken cancellationToken)
    {
        var stores = await BenchStores.CreateAsync(StoreKind.Sqlite, null, cancellationToken);
        try
        {
            var clock = Stopwatch.StartNew();
            var at = DateTimeOffset.UtcNow.AddDays(-1);
            var ids = Enumerable.Range(0, count).Select(AccountData.Id).Concat(Enumerable.Range(0, WarmAccounts).Select(WarmId));
            await AccountData.WriteAsync(stores.Journal, ids.Select(id => (id, 1L, AccountData.History(id, 1, at).First())), cancellationToken);
            context.Progress.Info(label, $"stored {count + WarmAccounts:N0} accounts with one event each in {clock.Elapsed.TotalSeconds:0.0} s");
            return stores;
        }
        catch
        {
            await stores.DisposeAsync();
            throw;
        }
    }

    /// <summary>Asks every account for its state through the region and waits for all the answers.</summary>
    public static async Task RecoverAsync(BankNode node, IEnumerable<string> ids, int count, CancellationToken cancellationToken)
    {
        var replies = new ReplyCounter(count);
        foreach (var id in ids) node.Region.Tell(new GetAccount(id), replies);
        await replies.WaitAsync(TimeSpan.FromSeconds(180), cancellationToken, "recovering the accounts");
        replies.EnsureAll(r => r.States, "recovering the accounts");
    }

    /// <summary>
    /// Waits until the node is at rest with <paramref name="expected"/> entities alive: the region has handled every message
    /// before a stats request (so every entity it created is watched and in its maps), no entity was passivated meanwhile,
    /// and the thread pool has no queued work left (the last replies' turns, recovery permits given back).
    /// </summary>
    public static async Task SettleAsync(BankNode node, int expected, CancellationToken cancellationToken)
    {
        var stats = await node.Region.Ask<RegionStats>(
            GetRegionStats.Instance, TimeSpan.FromSeconds(30), cancellationToken);
        if (stats.ActiveEntities != expected)
            throw new InvalidOperationException($"{stats.ActiveEntities:N0} entities alive, {expected:N0} expected: some stopped or passivated.");
        var deadline = Environment.TickCount64 + 10_000;
        while (ThreadPool.PendingWorkItemCount > 0 && Environment.TickCount64 < deadline)
            await Task.Delay(10, cancellationToken);
    }

    /// <summary>The ids made one by one while sending (so no array of them is kept by the benchmark itself).</summary>
    public static IEnumerable<string> Ids(int count)
    {
        for (var i = 0; i < count; i++) yield return AccountData.Id(i);
    }
}

/// <summary>
/// What an idle recovered account costs: the live heap after all N accounts answered, minus the live heap before
/// (the system, the region and 100 warm accounts already up), divided by N. Everything the node keeps per account
/// counts: the region's entries, the actor cell, path and mailbox, death watch, the receive-timeout entry, the
/// account actor and its state (with its idempotency window).
/// The "after" heap is taken only once the node is at rest (every entity alive and watched, no queued work) and
/// once two measurements a moment apart agree, so no in-flight garbage or late allocation is counted or missed.
/// What the process keeps beyond the node (thread-pool queues and thread-local caches grown by the burst) stays in
/// the figure; it is printed as a residual after the node has terminated, so it can be told apart.
/// </summary>
public sealed class IdleAccountMemoryBenchmark : AsyncBenchmark
{
    private readonly BenchOption<int> _accounts = new("--accounts", 100_000, "How many accounts.");

    public override string Name => "idle-memory";
    public override string Description => "100,000 accounts (one event each) recovered from SQLite and idle; live bytes per account.";
    public override IEnumerable<Option> Options => [_accounts];

    private static readonly Metric Metric = new("B/account", Better.Lower, Reference: 3_861, PersistenceSuite.Akka, Target: 600);

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var count = context.Get(_accounts);
        await using var stores = await RecoveredAccounts.PopulateAsync(count, context, $"{context.Suite} {Name}", cancellationToken);
        var settings = new AccountSettings();
        var samples = await Measure.RepeatAsync(context, Name, Metric, async ct =>
        {
            var residualBefore = Heap.LiveBytes();
            var perAccount = await MeasureOnceAsync(stores, settings, count, ct);
            // The node has terminated: what the heap grew by since before it started is kept by the process, not the node.
            var residual = Heap.LiveBytes() - residualBefore;
            context.Progress.Info($"{context.Suite} {Name}", $"residual after the node terminated: {residual / 1024.0:N0} KB ({(double)residual / count:0} B/account)");
            return perAccount;
        }, cancellationToken);
        return [new BenchmarkResult(context.Suite, Name, Metric, samples,
            $"{count:N0} accounts, GC.GetTotalMemory delta after full compacting GCs, node at rest, two agreeing measurements; bank defaults (idempotency window {settings.IdempotencyWindow}, passivate after {settings.PassivateAfter.TotalMinutes:0} min)")];
    }

    /// <summary>One node: bytes per account between the node at rest with the warm accounts and at rest with all of them.</summary>
    private static async Task<double> MeasureOnceAsync(BenchStores stores, AccountSettings settings, int count, CancellationToken ct)
    {
        await using var node = BankNode.Start(stores, settings, "idle");
        await RecoveredAccounts.RecoverAsync(node, Enumerable.Range(0, RecoveredAccounts.WarmAccounts).Select(RecoveredAccounts.WarmId),
            RecoveredAccounts.WarmAccounts, ct);
        await RecoveredAccounts.SettleAsync(node, RecoveredAccounts.WarmAccounts, ct);
        var before = await Heap.StableLiveBytesAsync(ct);
        await RecoveredAccounts.RecoverAsync(node, RecoveredAccounts.Ids(count), count, ct);
        await RecoveredAccounts.SettleAsync(node, RecoveredAccounts.WarmAccounts + count, ct);
        var after = await Heap.StableLiveBytesAsync(ct);
        GC.KeepAlive(node);
        return (double)(after - before) / count;
    }
}

/// <summary>Accounts created and recovered per second: N accounts with one event each, asked for their state all at once.</summary>
public sealed class RecoveryRateBenchmark : AsyncBenchmark
{
    private readonly BenchOption<int> _accounts = new("--accounts", 100_000, "How many accounts.");

    public override string Name => "recovery-rate";
    public override string Description => "100,000 accounts (one event each) created and recovered from SQLite at once; accounts/s.";
    public override IEnumerable<Option> Options => [_accounts];

    private static readonly int DefaultRecoveries = new global::Actors.Persistence.PersistenceSettings().MaxConcurrentRecoveries;

    private static readonly Metric Metric = new("accounts/s", Better.Higher, Reference: 2_600, PersistenceSuite.Akka, Target: 50e3);

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var count = context.Get(_accounts);
        await using var stores = await RecoveredAccounts.PopulateAsync(count, context, $"{context.Suite} {Name}", cancellationToken);
        var settings = new AccountSettings();
        var samples = await Measure.RepeatAsync(context, Name, Metric, async ct =>
        {
            await using var node = BankNode.Start(stores, settings, "rate");
            await RecoveredAccounts.RecoverAsync(node, Enumerable.Range(0, RecoveredAccounts.WarmAccounts).Select(RecoveredAccounts.WarmId),
                RecoveredAccounts.WarmAccounts, ct);
            var clock = Stopwatch.StartNew();
            await RecoveredAccounts.RecoverAsync(node, RecoveredAccounts.Ids(count), count, ct);
            clock.Stop();
            return count / clock.Elapsed.TotalSeconds;
        }, cancellationToken);
        return [new BenchmarkResult(context.Suite, Name, Metric, samples,
            $"{count:N0} accounts through the region, at most {DefaultRecoveries} recovering at once (default)")];
    }
}
