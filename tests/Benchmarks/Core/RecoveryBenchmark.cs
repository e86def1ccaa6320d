using System.Diagnostics;
using System.Globalization;
using Actors.Benchmarks.Nodes;
using Actors.Benchmarks.Persistence;
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
/// connections warm, the code jitted to its final tier by the warm-ups), as a running node recovers a passivated account.
/// </summary>
public sealed class RecoveryBenchmark : Benchmark
{
    private readonly BenchOption<int> _events = new("events", 10_000, "Events of the account.");
    private readonly BenchOption<int> _snapshotAt = new("snapshot-at", 9_000, "Where the second account's snapshot is.");
    private readonly BenchOption<string> _database = new("database", "sqlite", "sqlite or postgres (a throwaway server, or ACTORS_POSTGRES).");
    private readonly BenchOption<string> _reference = new("reference-hocon", "",
        "HOCON for a second group-commit node on its own database, measured interleaved with the first as the -reference rows (an A/B of a setting in one run).");

    public override string Name => "recovery";
    public override string Description => "One account with 10,000 events recovers from SQLite, without and with a snapshot at 9,000; ms.";
    public override IEnumerable<IBenchOption> Options => [_events, _snapshotAt, _database, _reference];

    private const string Notes = "shared/AKKA-NOTES.md (recovery: ~290 ms with a binary serializer, 600 ms with JSON; from a snapshot 12-16 ms)";
    private static readonly Metric Plain = new("ms", Better.Lower, 290, Notes);
    private static readonly Metric WithSnapshot = new("ms", Better.Lower, 16, Notes);

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var events = Math.Max(2, context.Get(_events));
        var snapshotAt = Math.Clamp(context.Get(_snapshotAt), 1, events);
        var kind = context.Get(_database).Trim().ToLowerInvariant() switch
        {
            "sqlite" => StoreKind.Sqlite,
            "postgres" or "postgresql" => StoreKind.Postgres,
            var other => throw new ArgumentException($"--database {other}: sqlite or postgres."),
        };
        var databaseName = kind == StoreKind.Sqlite ? "SQLite" : "PostgreSQL";
        var fullRow = new BenchmarkResult(context.Suite, $"{Name}-{events / 1000}k-events", Plain);
        var snapshottedRow = new BenchmarkResult(context.Suite, $"{Name}-snapshot", WithSnapshot);
        var reference = context.Get(_reference);
        var fullReference = new BenchmarkResult(context.Suite, $"{Name}-{events / 1000}k-events-reference", Plain);
        var snapshottedReference = new BenchmarkResult(context.Suite, $"{Name}-snapshot-reference", WithSnapshot);
        // Each run is a fraction of a second, and for several seconds after start the tiered JIT is still recompiling the
        // replay path with its profile (a sixth of the CPU in a profile of the first runs; 8 warm-ups measured 58-84 ms
        // where 60 measured 36 ms): warm up long enough to measure a running node, not its start.
        var warmups = context.Warmups(60);
        var runs = context.Runs(5);
        // One node per variant, both up at once, their runs interleaved (ours, plain, ours, plain ...): a machine whose
        // speed drifts shifts both alike.
        var nodes = new Dictionary<(Variant Variant, bool Reference), (BenchDatabase Database, BenchNode Node)>();
        await using var postgres = kind == StoreKind.Postgres ? await PostgresInstance.StartAsync(text => context.Info(Name, text), cancellationToken) : null;
        try
        {
            var setups = context.Variants.Where(v => v.Available()).Select(v => (Variant: v, Reference: false)).ToList();
            if (reference.Length > 0 && setups.Any(s => s.Variant == Variant.GroupCommit)) setups.Add((Variant.GroupCommit, true));
            foreach (var (variant, isReference) in setups)
            {
                var label = $"{Name} [{variant.Label()}{(isReference ? $" with {reference.ReplaceLineEndings(" ")}" : "")}]";
                var (full, snapshotted) = isReference ? (fullReference, snapshottedReference) : (fullRow, snapshottedRow);
                var database = await BenchDatabase.CreateAsync(kind, postgres, cancellationToken);
                try
                {
                    var node = await BenchNode.StartAsync(variant, database.Store, cancellationToken, extraHocon: isReference ? reference : null);
                    nodes[(variant, isReference)] = (database, node);
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
                    if (!nodes.ContainsKey((variant, isReference))) await database.DisposeAsync();
                    full.Failures[variant] = snapshotted.Failures[variant] = $"{e.GetType().Name}: {e.Message}";
                    context.Info(label, $"FAILED: {e.GetType().Name}: {e.Message}");
                }
            }

            string FullNote(long allocated, AccountSettings _) => $"{allocated / (double)events:N0} B allocated per replayed event";
            string SnapshotNote(long allocated, AccountSettings settings) =>
                $"snapshot at {snapshotAt:N0} (state + {settings.IdempotencyWindow:N0}-command idempotency window) + {events - snapshotAt:N0} events, {allocated / 1024.0:N0} KB allocated per recovery";
            await MeasureAsync(fullRow, fullReference, FullId, FullNote);
            await MeasureAsync(snapshottedRow, snapshottedReference, SnapshotId, SnapshotNote);
        }
        finally
        {
            foreach (var (database, node) in nodes.Values)
            {
                await node.DisposeAsync();
                await database.DisposeAsync();
            }
        }

        async Task MeasureAsync(BenchmarkResult mainRow, BenchmarkResult referenceRow, string accountId, Func<long, AccountSettings, string> allocation)
        {
            BenchmarkResult RowOf((Variant Variant, bool Reference) key) => key.Reference ? referenceRow : mainRow;
            var samples = new Dictionary<(Variant, bool), List<double>>();
            var allocated = new Dictionary<(Variant, bool), long>();
            for (var round = 1; round <= warmups + runs; round++)
            {
                var phase = round <= warmups ? $"warm-up {round}/{warmups}" : $"run {round - warmups}/{runs}";
                foreach (var (key, (_, node)) in nodes.Where(n => !RowOf(n.Key).Failures.ContainsKey(n.Key.Variant)))
                {
                    var row = RowOf(key);
                    try
                    {
                        Measure.FullCollect();
                        var mark = RunStats.Start();
                        var (ms, bytes) = await RecoverAsync(node, accountId, events, cancellationToken);
                        context.Progress.Sample($"{context.Suite} {row.Name} [{key.Variant.Label()}]", phase, ms, "ms", mark.Stop().ToString());
                        if (round <= warmups) continue;
                        (samples.TryGetValue(key, out var list) ? list : samples[key] = []).Add(ms);
                        allocated[key] = bytes;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        row.Failures[key.Variant] = $"{e.GetType().Name}: {e.Message}";
                        context.Info($"{row.Name} [{key.Variant.Label()}]", $"FAILED: {e.GetType().Name}: {e.Message}");
                    }
                }
            }
            foreach (var ((variant, isReference), list) in samples.Where(s => !RowOf(s.Key).Failures.ContainsKey(s.Key.Item1)))
            {
                var row = isReference ? referenceRow : mainRow;
                row.With(variant, list);
                row.Notes.Add($"{variant.Label()}{(isReference ? $" with {reference.ReplaceLineEndings(" ")}" : "")}: {allocation(allocated[(variant, isReference)], nodes[(variant, isReference)].Node.Settings)}; {nodes[(variant, isReference)].Node.Description}");
            }
        }

        fullRow.Bottleneck = fullReference.Bottleneck = "CPU of the replay (row reads, deserializing each event, Evolve with its idempotency window)";
        snapshottedRow.Bottleneck = snapshottedReference.Bottleneck = "three queries (snapshot, highest sequence number, events after it) and deserializing the snapshot's 1,000-entry window";
        return reference.Length > 0 ? [fullRow, fullReference, snapshottedRow, snapshottedReference] : [fullRow, snapshottedRow];
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
