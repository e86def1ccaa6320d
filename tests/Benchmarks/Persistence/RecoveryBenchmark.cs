using System.CommandLine;
using System.Diagnostics;
using Actors.Benchmarks.Shared;
using Actors.Core;
using Bank.Actors;
using Bank.Domain;

namespace Actors.Benchmarks.Persistence;

/// <summary>
/// How long one account takes to come back from SQLite: its actor is created and asked for its state; the clock runs
/// from creating it to the reply, so it covers the snapshot query, replaying the events page by page (query,
/// deserialization, the domain's Evolve with its idempotency window) and the first message. Two accounts with the same
/// 10,000 events: one without a snapshot, one with a snapshot at 9,000 (the state with its full idempotency window).
/// A fresh actor each run; the database and its connections stay warm, as in a running node.
/// </summary>
public sealed class RecoveryBenchmark : AsyncBenchmark
{
    private readonly BenchOption<int> _events = new("--events", 10_000, "Events of the account.");
    private readonly BenchOption<int> _snapshotAt = new("--snapshot-at", 9_000, "Where the second account's snapshot is.");

    public override string Name => "recovery";
    public override string Description => "One account with 10,000 events recovers from SQLite (without / with a snapshot at 9,000); ms.";
    public override IEnumerable<Option> Options => [_events, _snapshotAt];

    private static readonly Metric Plain = new("ms", Better.Lower, Reference: 269, PersistenceSuite.Akka, Target: 30);
    private static readonly Metric WithSnapshot = new("ms", Better.Lower, Reference: 32.5, PersistenceSuite.Akka, Target: 3);

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var events = context.Get(_events);
        var snapshotAt = context.Get(_snapshotAt);
        var settings = new AccountSettings();
        var label = $"{context.Suite} {Name}";

        await using var stores = await BenchStores.CreateAsync(StoreKind.Sqlite, null, cancellationToken);
        var clock = Stopwatch.StartNew();
        await AccountData.WriteAccountAsync(stores, "plain", events, snapshotAt: 0, settings.IdempotencyWindow, cancellationToken);
        await AccountData.WriteAccountAsync(stores, "snapshotted", events, snapshotAt, settings.IdempotencyWindow, cancellationToken);
        context.Progress.Info(label, $"stored 2 accounts x {events:N0} events (and a snapshot at {snapshotAt:N0}) in {clock.Elapsed.TotalSeconds:0.0} s");

        await using var node = BankNode.Start(stores, settings);
        var incarnation = 0;
        var lastAllocated = 0L;   // bytes the process allocated during the last recovery (creating the actor to its reply)

        // Many more warm-ups than the default: each run is a few milliseconds, and the replay path (reader, JSON,
        // the domain's Evolve) must reach its optimized tier, as in a node that has been running for a while.
        // The tiered JIT takes about 2 s of replays here: tier 0, then an instrumented tier (PGO) that is slower still,
        // then the optimized code, and the call-counting delay postpones each step while anything new is jitted. After
        // 30 warm-ups some processes were past the last step and others still in the instrumented one (25 ms vs 45 ms);
        // after 100 every process measured the optimized code (15 ms, spread 14 .. 15).
        var plain = await Measure.RepeatAsync(context, Name, Plain, ct => RecoverAsync("plain", ct), cancellationToken, minimumWarmups: 100);
        var plainBytes = lastAllocated;
        var snapshotted = await Measure.RepeatAsync(context, Name + " (snapshot)", WithSnapshot, ct => RecoverAsync("snapshotted", ct), cancellationToken,
            minimumWarmups: 100);
        return
        [
            new BenchmarkResult(context.Suite, Name, Plain, plain,
                $"{events:N0} events, no snapshot, SQLite, replay page 1000; {plainBytes / (double)events:N0} B allocated per replayed event"),
            new BenchmarkResult(context.Suite, Name + " (snapshot)", WithSnapshot, snapshotted,
                $"snapshot at {snapshotAt:N0} (state + {settings.IdempotencyWindow:N0}-command idempotency window) + {events - snapshotAt:N0} events; " +
                $"{lastAllocated / 1024.0:N0} KB allocated per recovery"),
        ];

        async Task<double> RecoverAsync(string accountId, CancellationToken ct)
        {
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var started = Stopwatch.StartNew();
            var actor = node.System.ActorOf(AccountActor.Props(accountId, settings), $"{accountId}-{++incarnation}");
            var state = await actor.Ask<AccountState>(new GetAccount(accountId), TimeSpan.FromSeconds(60), ct);
            started.Stop();
            lastAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            if (state.Version != events) throw new InvalidOperationException($"{accountId} recovered at version {state.Version}, not {events}.");
            if (!await actor.GracefulStop(TimeSpan.FromSeconds(10))) throw new TimeoutException($"{actor.Path} did not stop.");
            return started.Elapsed.TotalMilliseconds;
        }
    }
}
