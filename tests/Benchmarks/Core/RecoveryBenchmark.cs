using System.Diagnostics;
using System.Globalization;
using Actors.Benchmarks.Nodes;
using Actors.Benchmarks.Shared;
using Akka.Actor;
using Bank.Actors.Accounts;
using Bank.Domain;

namespace Actors.Benchmarks.Core;

/// <summary>
/// How long one account takes to come back from SQLite: an account actor is created for it and asked for its state;
/// the clock runs from creating the actor to the reply, so it covers Akka.Persistence's recovery (snapshot load,
/// highest sequence number, replay in pages of replay-batch-size, deserialization, the domain's Evolve with its
/// idempotency window) and the first message. Two accounts with the same 10,000 events (stored through the journal
/// plugin, so in each variant's own format): one without a snapshot, one with a snapshot at 9,000 (the state with its
/// full idempotency window) plus 1,000 events. A fresh actor each run, on a warm node (the database and the plugin's
/// connections warm, the code jitted by the warm-ups), as a running node recovers a passivated account.
/// </summary>
public sealed class RecoveryBenchmark : Benchmark
{
    private readonly BenchOption<int> _events = new("events", 10_000, "Events of the account.");
    private readonly BenchOption<int> _snapshotAt = new("snapshot-at", 9_000, "Where the second account's snapshot is.");

    public override string Name => "recovery";
    public override string Description => "One account with 10,000 events recovers from SQLite, without and with a snapshot at 9,000; ms.";
    public override IEnumerable<IBenchOption> Options => [_events, _snapshotAt];

    private const string Notes = "shared/AKKA-NOTES.md (recovery: ~290 ms with a binary serializer, 600 ms with JSON; from a snapshot 12-16 ms)";
    private static readonly Metric Plain = new("ms", Better.Lower, 290, Notes);
    private static readonly Metric WithSnapshot = new("ms", Better.Lower, 16, Notes);

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var events = Math.Max(2, context.Get(_events));
        var snapshotAt = Math.Clamp(context.Get(_snapshotAt), 1, events);
        var full = new BenchmarkResult(context.Suite, $"{Name}-{events / 1000}k-events", Plain);
        var snapshotted = new BenchmarkResult(context.Suite, $"{Name}-snapshot", WithSnapshot);
        // Each run is a fraction of a second: enough warm-ups for the replay path to reach its optimized tier.
        var warmups = context.Warmups(8);
        var runs = context.Runs(5);
        // One node per variant, both up at once, their runs interleaved (ours, plain, ours, plain ...): a machine whose
        // speed drifts shifts both alike.
        var nodes = new Dictionary<Variant, (BenchDatabase Database, BenchNode Node)>();
        try
        {
            foreach (var variant in context.Variants.Where(v => v.Available()))
            {
                var label = $"{Name} [{variant.Label()}]";
                var database = BenchDatabase.Sqlite();
                try
                {
                    var node = await BenchNode.StartAsync(variant, database.Store, cancellationToken);
                    nodes[variant] = (database, node);
                    var clock = Stopwatch.StartNew();
                    var at = DateTimeOffset.UtcNow.AddDays(-1);
                    var fullHistory = AccountData.History(FullId, events, at).ToList();
                    var snapshotHistory = AccountData.History(SnapshotId, events, at).ToList();
                    await JournalSeeding.WriteAsync(node.System, [(FullId, fullHistory), (SnapshotId, snapshotHistory)], cancellationToken);
                    var state = AccountDecider.Fold(AccountState.Initial(SnapshotId, node.Settings.IdempotencyWindow), snapshotHistory.Take(snapshotAt));
                    await JournalSeeding.SaveSnapshotAsync(node.System, SnapshotId, snapshotAt, state, cancellationToken);
                    context.Info(label, $"stored 2 accounts x {events:N0} events and a snapshot at {snapshotAt:N0} in {clock.Elapsed.TotalSeconds:0.0} s; {node.Description}");
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    if (!nodes.ContainsKey(variant)) await database.DisposeAsync();
                    full.Failures[variant] = snapshotted.Failures[variant] = $"{e.GetType().Name}: {e.Message}";
                    context.Info(label, $"FAILED: {e.GetType().Name}: {e.Message}");
                }
            }

            await MeasureAsync(full, FullId, "no snapshot, SQLite, replay pages of 1,000", (allocated, _) => $"{allocated / (double)events:N0} B allocated per replayed event");
            await MeasureAsync(snapshotted, SnapshotId, "", (allocated, settings) =>
                $"snapshot at {snapshotAt:N0} (state + {settings.IdempotencyWindow:N0}-command idempotency window) + {events - snapshotAt:N0} events, {allocated / 1024.0:N0} KB allocated per recovery");
        }
        finally
        {
            foreach (var (database, node) in nodes.Values)
            {
                await node.DisposeAsync();
                await database.DisposeAsync();
            }
        }

        async Task MeasureAsync(BenchmarkResult row, string accountId, string what, Func<long, Bank.Actors.Accounts.AccountSettings, string> allocation)
        {
            var samples = new Dictionary<Variant, List<double>>();
            var allocated = new Dictionary<Variant, long>();
            for (var round = 1; round <= warmups + runs; round++)
            {
                var phase = round <= warmups ? $"warm-up {round}/{warmups}" : $"run {round - warmups}/{runs}";
                foreach (var (variant, (_, node)) in nodes.Where(n => !row.Failures.ContainsKey(n.Key)))
                {
                    try
                    {
                        Measure.FullCollect();
                        var mark = RunStats.Start();
                        var (ms, bytes) = await RecoverAsync(node, accountId, events, cancellationToken);
                        context.Progress.Sample($"{context.Suite} {row.Name} [{variant.Label()}]", phase, ms, "ms", mark.Stop().ToString());
                        if (round <= warmups) continue;
                        (samples.TryGetValue(variant, out var list) ? list : samples[variant] = []).Add(ms);
                        allocated[variant] = bytes;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        row.Failures[variant] = $"{e.GetType().Name}: {e.Message}";
                        context.Info($"{row.Name} [{variant.Label()}]", $"FAILED: {e.GetType().Name}: {e.Message}");
                    }
                }
            }
            foreach (var (variant, list) in samples.Where(s => !row.Failures.ContainsKey(s.Key)))
            {
                row.With(variant, list);
                row.Notes.Add($"{variant.Label()}: {allocation(allocated[variant], nodes[variant].Node.Settings)}; {nodes[variant].Node.Description}");
            }
        }

        full.Bottleneck = "CPU of the replay (linq2db row reads, deserializing each event, Evolve with its idempotency window), pages of 1,000";
        snapshotted.Bottleneck = "three queries (snapshot, highest sequence number, events after it) and deserializing the snapshot's 1,000-entry window";
        return [full, snapshotted];
    }

    private const string FullId = "recovery-full";
    private const string SnapshotId = "recovery-snapshot";
    private static int _incarnation;

    /// <summary>A new account actor for <paramref name="accountId"/>, asked for its state: the time to the reply, and the bytes allocated meanwhile.</summary>
    private static async Task<(double Milliseconds, long Allocated)> RecoverAsync(BenchNode node, string accountId, int events, CancellationToken ct)
    {
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var actor = node.System.ActorOf(AccountActor.Props(accountId, node.Settings), $"{accountId}-{Interlocked.Increment(ref _incarnation)}");
        // A recovery that fails stops the actor (Akka's rule): fail at once rather than at the ask's timeout.
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var stopped = actor.WatchAsync(stopWatching.Token);
        var ask = actor.Ask<AccountState>(new GetAccount(accountId), AccountAsks.Timeout, ct);
        if (await Task.WhenAny(ask, stopped) != ask)
            throw new InvalidOperationException($"{accountId} stopped instead of answering: its recovery failed (the node's log says why).");
        await stopWatching.CancelAsync();
        var recovered = await ask;
        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        if (recovered.Version != events) throw new InvalidOperationException($"{accountId} recovered at version {recovered.Version}, not {events}.");
        if (!await actor.GracefulStop(TimeSpan.FromSeconds(10))) throw new TimeoutException($"{actor.Path} did not stop.");
        return (elapsed.TotalMilliseconds, allocated);
    }
}
