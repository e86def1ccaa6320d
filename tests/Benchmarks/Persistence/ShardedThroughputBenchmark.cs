using System.Globalization;
using Actors.Benchmarks.Nodes;
using Actors.Benchmarks.Shared;
using Akka.Actor;
using Bank.Domain;

namespace Actors.Benchmarks.Persistence;

/// <summary>
/// Commands per second through Ask on the accounts' shard region of a one-node cluster: N accounts are opened
/// (untimed; it also warms the write path up), then M deposits of 1.00 per account are asked with C asks in flight,
/// round-robin over the accounts (deposit i goes to account i mod N, so with C = N every account has about one command
/// in flight and the journal sees up to C writes at once). Each account actor decides, persists MoneyDeposited (tagged),
/// replies once it is stored, and snapshots every 100 events. The clock stops at the last reply. A run that would take
/// longer than --max-seconds stops sending then, waits for what is in flight and counts what was answered (so a slow
/// variant costs at most that; its note says so). Every run starts a new node on a new database; after it, every
/// account's balance and version are checked against the deposits it acknowledged.
/// </summary>
public sealed class ShardedThroughputBenchmark(StoreKind kind) : Benchmark
{
    private readonly BenchOption<int> _accounts = new("accounts", 1_000, "How many accounts.");
    private readonly BenchOption<int> _deposits = new("deposits", 100, "Deposits per account.");
    private readonly BenchOption<int> _inFlight = new("in-flight", 1_000, "Asks in flight.");
    private readonly BenchOption<double> _maxSeconds = new("max-seconds", kind == StoreKind.InMemory ? 60 : 30,
        "Stop sending after this long and count what was answered (a slow variant would otherwise take minutes).");

    public override string Name => kind switch
    {
        StoreKind.InMemory => "asks-in-memory",
        StoreKind.Sqlite => "asks-sqlite",
        _ => "asks-postgres",
    };

    public override string Description => $"1,000 sharded accounts x 100 deposits through Ask, 1,000 in flight, {Label}; cmd/s.";

    public override IEnumerable<IBenchOption> Options => [_accounts, _deposits, _inFlight, _maxSeconds];

    private string Label => kind switch
    {
        StoreKind.InMemory => "in-memory journal",
        StoreKind.Sqlite => "SQLite file",
        _ => "PostgreSQL (fsync on)",
    };

    private const string Notes = "shared/AKKA-NOTES.md, tuned stock Akka.Persistence.Sql";

    private Metric Metric => kind switch
    {
        StoreKind.InMemory => new Metric("cmd/s", Better.Higher, 32e3, Notes),
        StoreKind.Sqlite => new Metric("cmd/s", Better.Higher, 1.6e3, Notes),
        _ => new Metric("cmd/s", Better.Higher, 3.9e3, Notes),
    };

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var accounts = Math.Max(1, context.Get(_accounts));
        var deposits = Math.Max(1, context.Get(_deposits));
        var inFlight = Math.Max(1, context.Get(_inFlight));
        var maxDuration = TimeSpan.FromSeconds(Math.Clamp(context.Get(_maxSeconds), 1, 3600));
        var metric = Metric;
        var result = new BenchmarkResult(context.Suite, Name, metric);

        await using var postgres = kind == StoreKind.Postgres ? await PostgresInstance.StartAsync(text => context.Info(Name, text), cancellationToken) : null;
        // In memory a run is a few seconds and CPU-bound: warm up, take the median of five. On a database a run is
        // 30 s or more, and opening the accounts already warms the write path up: one run each.
        var runs = context.Runs(kind == StoreKind.InMemory ? 5 : 1);
        var warmups = context.Warmups(kind == StoreKind.InMemory ? 1 : 0);
        // The variants' runs are interleaved (ours, plain, ours, plain ...), so a machine whose speed drifts (neighbours,
        // a VM) shifts both alike and the ratio stays fair.
        var variants = context.Variants.Where(v => v.Available() && (v != Variant.GroupCommit || kind != StoreKind.InMemory)).ToList();
        var samples = variants.ToDictionary(v => v, _ => new List<double>());
        var stats = new Dictionary<Variant, RunStats>();
        var details = new Dictionary<Variant, string>();
        for (var round = 1; round <= warmups + runs; round++)
        {
            var phase = round <= warmups ? $"warm-up {round}/{warmups}" : $"run {round - warmups}/{runs}";
            foreach (var variant in variants.Where(v => !result.Failures.ContainsKey(v)))
            {
                var label = $"{Name} [{variant.Label()}]";
                try
                {
                    Measure.FullCollect();
                    var mark = RunStats.Start();
                    var run = await RunOnceAsync(context, label, variant, postgres, accounts, deposits, inFlight, maxDuration, cancellationToken);
                    var last = mark.Stop();
                    context.Progress.Sample($"{context.Suite} {label}", phase, run.Rate, metric.Unit, last.ToString());
                    if (round <= warmups) continue;
                    samples[variant].Add(run.Rate);
                    stats[variant] = last;
                    details[variant] = $"{run.Description}; {run.Detail}";
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    result.Failures[variant] = $"{e.GetType().Name}: {e.Message}";
                    context.Info(label, $"FAILED: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        foreach (var variant in variants.Where(v => samples[v].Count > 0 && !result.Failures.ContainsKey(v)))
        {
            result.With(variant, samples[variant]);
            result.Notes.Add(details[variant]);
        }
        var ours = stats.GetValueOrDefault(Variant.Ours);
        var oursDetail = details.GetValueOrDefault(Variant.Ours) ?? "";
        result.Bottleneck = Bottleneck(ours, oursDetail);
        return [result];
    }

    private sealed record Run(double Rate, string Description, string Detail, int Answered);

    private async Task<Run> RunOnceAsync(BenchmarkContext context, string label, Variant variant, PostgresInstance? postgres,
        int accounts, int deposits, int inFlight, TimeSpan maxDuration, CancellationToken cancellationToken)
    {
        await using var database = await BenchDatabase.CreateAsync(kind, postgres, cancellationToken);
        long? transactions;
        Run run;
        await using (var node = await BenchNode.StartAsync(variant, database.Store, cancellationToken))
        {
            await AccountAsks.OpenAsync(node.Region, accounts, AccountData.Id, 0m, inFlight, cancellationToken);

            // Made before the clock starts: the figure is about handling commands, not about making them.
            var total = accounts * deposits;
            var now = DateTimeOffset.UtcNow;
            var commands = new Deposit[total];
            for (var i = 0; i < total; i++) commands[i] = new Deposit(AccountData.Id(i % accounts), 1m, Guid.NewGuid(), now);
            var acknowledged = new int[accounts];
            var transactionsBefore = await database.CommittedTransactionsAsync(cancellationToken);
            // SQLite keeps no commit count: the group-commit journal announces each transaction it commits in this process.
            var groupCommits = 0L;
            using var commits = variant == Variant.GroupCommit && kind == StoreKind.Sqlite
                ? global::Actors.Journal.JournalCommits.Subscribe(global::Actors.Journal.JournalProvider.Sqlite, database.Store.ConnectionString!,
                    _ => Interlocked.Increment(ref groupCommits))
                : null;

            var outcome = await InFlight.RunAsync(total, inFlight, async i =>
            {
                var failure = await AccountAsks.CommandAsync(node.Region, commands[i]).ConfigureAwait(false);
                if (failure is null) Interlocked.Increment(ref acknowledged[i % accounts]);
                return failure;
            }, maxDuration, cancellationToken);
            outcome.EnsureSucceeded("the deposits");

            // Every account has exactly the deposits it acknowledged, in its balance and its version.
            var wrong = await InFlight.RunAsync(accounts, inFlight, async a =>
            {
                var state = await node.Region.Ask<AccountState>(new Bank.Actors.Accounts.GetAccount(AccountData.Id(a)), AccountAsks.Timeout).ConfigureAwait(false);
                return state.Balance == acknowledged[a] && state.Version == acknowledged[a] + 1
                    ? null
                    : $"{state.AccountId}: balance {state.Balance}, version {state.Version}, {acknowledged[a]} deposits acknowledged";
            }, TimeSpan.FromMinutes(5), cancellationToken);
            wrong.EnsureSucceeded("checking the balances");

            var rate = outcome.Succeeded / outcome.Elapsed.TotalSeconds;
            var detail = outcome.Capped
                ? string.Create(CultureInfo.InvariantCulture, $"capped at {maxDuration.TotalSeconds:0} s: {outcome.Succeeded:N0} of {total:N0} deposits answered (fewer snapshots than a full run)")
                : $"{total:N0} deposits answered";
            run = new Run(rate, node.Description, detail, outcome.Succeeded);
            transactions = transactionsBefore;
            if (Interlocked.Read(ref groupCommits) is > 0 and var committed)
            {
                context.Info(label, string.Create(CultureInfo.InvariantCulture,
                    $"  {committed:N0} group-commit transactions during the deposits and the check ({(double)outcome.Succeeded / committed:0.0} deposits per transaction)"));
                run = run with { Detail = run.Detail + string.Create(CultureInfo.InvariantCulture, $"; {committed:N0} SQLite transactions") };
            }
        }
        // The node is gone: its connections are closed and have reported their statistics.
        if (transactions is { } before && await database.CommittedTransactionsAsync(cancellationToken) is { } after && after > before)
        {
            var perTransaction = (double)run.Answered / (after - before);
            context.Info(label, string.Create(CultureInfo.InvariantCulture,
                $"  {after - before:N0} transactions committed in the database during the deposits, the snapshots and the check ({perTransaction:0.0} deposits per transaction)"));
            run = run with { Detail = run.Detail + string.Create(CultureInfo.InvariantCulture, $"; {after - before:N0} PostgreSQL transactions") };
        }
        return run;
    }

    private string Bottleneck(RunStats stats, string detail)
    {
        if (stats.Wall == TimeSpan.Zero) return "-";
        var cpu = string.Create(CultureInfo.InvariantCulture,
            $"process {stats.ProcessCores:0.0} cores, machine {stats.MachineBusyCores:0.0} of {Environment.ProcessorCount}, GC paused {stats.GcPauseShare:P0}");
        return kind switch
        {
            StoreKind.InMemory => $"CPU of the Akka pipeline (Ask, shard region, persistent actor, in-memory journal): {cpu}",
            StoreKind.Sqlite => $"stock Akka.Persistence.Sql write path (CPU per event in linq2db + serializer, one SQLite writer): {cpu}",
            _ => $"stock Akka.Persistence.Sql write path (CPU per event in .NET, server work per row): {cpu}",
        };
    }
}
