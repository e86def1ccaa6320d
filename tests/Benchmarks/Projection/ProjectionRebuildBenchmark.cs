using System.CommandLine;
using System.Diagnostics;
using Actors.Benchmarks.Persistence;
using Actors.Benchmarks.Shared;
using Actors.Persistence.Journal;
using Actors.Persistence.Query.Projections;
using Bank.Actors;
using Bank.Domain;
using Bank.ReadModels;

namespace Actors.Benchmarks.Projection;

/// <summary>
/// How fast the read model is rebuilt from the journal: 1 M account events (1,000 accounts, opened and then given
/// deposits, interleaved as a live system writes them) are stored straight through the SQLite journal in big batches
/// (untimed), then each run calls <see cref="Projection.RebuildAsync"/> on the running projection (it empties the read
/// model and resets the offset) and times the replay from there until the rebuild completes: events/s. After each run
/// the read model's totals are checked against what was written. At most 3 runs, no warm-up.
/// </summary>
public sealed class ProjectionRebuildBenchmark : AsyncBenchmark
{
    private readonly BenchOption<int> _events = new("--events", 1_000_000, "Events in the journal.");
    private readonly BenchOption<int> _accounts = new("--accounts", 1_000, "Accounts the events belong to.");
    private readonly BenchOption<int> _batch = new("--batch", 0, "Projection MaxBatchSize (0 = the default).");

    public override string Name => "rebuild";
    public override string Description => "Rebuild of the bank read model from 1,000,000 events in SQLite; events/s.";
    public override IEnumerable<Option> Options => [_events, _accounts, _batch];

    private static readonly Metric Rate = new("events/s", Better.Higher, null, "-", Target: 100e3);

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var label = $"{context.Suite} {Name}";
        var events = Math.Max(1, context.Get(_events));
        var accounts = Math.Clamp(context.Get(_accounts), 1, events);
        var settings = context.Get(_batch) is > 0 and var batch ? new ProjectionSettings { MaxBatchSize = batch } : new ProjectionSettings();

        // Big batches for the population only: one transaction per 10,000 events.
        await using var stores = await BenchStores.CreateAsync(StoreKind.Sqlite, null, cancellationToken, new StoreTuning(MaxBatchSize: 10_000));
        var expected = await PopulateAsync(stores, events, accounts, context, label, cancellationToken);

        await using var readSide = new ReadSide(stores, settings);
        var projection = readSide.Projection;
        await projection.StartAsync(cancellationToken);
        var queries = new BankReadModelQueries(readSide.Database);

        // Each run replays the whole journal (a minute or so): at most 3 runs, and no warm-up (a run is long enough
        // for the code to reach its optimized tier in its first seconds).
        var samples = await Measure.RepeatAsync(context.Capped(maxRuns: 3, maxWarmups: 0), Name, Rate, async ct =>
        {
            var reset = Stopwatch.StartNew();
            var progress = await projection.RebuildAsync(ct);
            reset.Stop();
            var clock = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            while (projection.Status.Rebuild is not { Completed: true } rebuild || rebuild.StartedAt != progress.StartedAt)
            {
                if (projection.Status.State == ProjectionState.Failed) throw new InvalidOperationException($"The rebuild failed: {projection.Status.LastError}");
                if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"The rebuild did not complete in 10 minutes ({projection.Status}).");
                if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(2))
                {
                    lastReport = clock.Elapsed;
                    var now = projection.Status.Rebuild;
                    context.Progress.Info(label, $"  {now?.PercentDone ?? 0:0}% (offset {now?.Offset ?? 0:N0} of {progress.TargetOffset:N0}), {(now?.EventsDone ?? 0) / clock.Elapsed.TotalSeconds:N0} events/s");
                }
                await Task.Delay(10, ct);
            }
            clock.Stop();
            var totals = await queries.GetTotalsAsync(ct);
            var balance = totals.For(AccountData.Currency).TotalBalance;
            if (totals.AccountsOpen != accounts || balance != expected)
                throw new InvalidOperationException($"After the rebuild the read model has {totals.AccountsOpen} accounts and {balance} in all, not {accounts} and {expected}.");
            context.Progress.Info(label, $"  reset {reset.Elapsed.TotalSeconds:0.0} s, replay of {progress.TargetOffset:N0} events {clock.Elapsed.TotalSeconds:0.0} s; totals check passed");
            return progress.TargetOffset / clock.Elapsed.TotalSeconds;
        }, cancellationToken);

        return [new BenchmarkResult(context.Suite, Name, Rate, samples,
            $"{events:N0} events of {accounts:N0} accounts, SQLite FULL, projection batch {settings.MaxBatchSize}; replay time from RebuildAsync's return to completion (the reset before it not counted)")];
    }

    /// <summary>Stores the events of every account round-robin (as a live system interleaves them); returns the total balance.</summary>
    private static async Task<decimal> PopulateAsync(BenchStores stores, int events, int accounts, BenchmarkContext context, string label, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        var perAccount = events / accounts;
        var histories = Enumerable.Range(0, accounts)
            .Select(a => AccountData.History(AccountData.Id(a), perAccount + (a < events % accounts ? 1 : 0), start).GetEnumerator())
            .ToArray();
        var tags = new[] { BankEventTypes.AccountTag };
        var chunk = new List<AtomicWrite>(10_000);
        var sequence = new long[accounts];
        var balance = 0m;
        var written = 0;
        var lastReport = TimeSpan.Zero;
        for (var round = 0; written < events; round++)
        {
            for (var a = 0; a < accounts && written < events; a++)
            {
                if (!histories[a].MoveNext()) continue;
                var @event = histories[a].Current;
                if (@event is MoneyDeposited deposited) balance += deposited.Amount;
                chunk.Add(new AtomicWrite(new PersistentRepr(AccountData.Id(a), ++sequence[a], @event, "bench", @event.At, tags)));
                written++;
                if (chunk.Count == chunk.Capacity) await FlushAsync();
            }
        }
        if (chunk.Count > 0) await FlushAsync();
        context.Progress.Info(label, $"stored {written:N0} events of {accounts:N0} accounts in {clock.Elapsed.TotalSeconds:0.0} s ({written / clock.Elapsed.TotalSeconds:N0} events/s)");
        return balance;

        async Task FlushAsync()
        {
            var results = await stores.Journal.WriteAsync(chunk, cancellationToken);
            if (results.FirstOrDefault(r => r is not WriteResult.Stored) is { } failed) throw new InvalidOperationException($"Populating the journal failed: {failed}");
            chunk.Clear();
            if (clock.Elapsed - lastReport < TimeSpan.FromSeconds(2)) return;
            lastReport = clock.Elapsed;
            context.Progress.Info(label, $"  stored {written:N0} of {events:N0} events ({written / clock.Elapsed.TotalSeconds:N0} events/s)");
        }
    }
}
