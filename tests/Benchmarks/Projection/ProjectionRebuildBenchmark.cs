using System.Diagnostics;
using System.Globalization;
using Actors.Benchmarks.Http;
using Actors.Benchmarks.Nodes;
using Actors.Benchmarks.Shared;
using Akka.Actor;
using Bank.Domain;
using Bank.Host.Hosting;
using Bank.ReadModels;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Benchmarks.Projection;

/// <summary>
/// Read-model rebuild: the bank host in-process (SQLite); N events (1,000 accounts x 20: an opening and deposits; the stock read journal replays about 1-2 k events/s, so more would take minutes,
/// tagged) written straight through the host's journal plugin, so in each variant's format; the projection catches up
/// (that rate is printed too); then each run calls <c>RebuildAsync</c> on the running projection (reset, replay from
/// offset 0 through the read journal) and times it until the rebuild reports completed. Events/s = events replayed /
/// that time.
/// </summary>
public sealed class ProjectionRebuildBenchmark : Benchmark
{
    private readonly BenchOption<int> _accounts = new("rebuild-accounts", 1_000, "Accounts of the rebuilt journal.");
    private readonly BenchOption<int> _eventsPerAccount = new("events-per-account", 20, "Events per account (the journal holds accounts x this).");

    public override string Name => "rebuild";
    public override string Description => "The read model rebuilt from a journal of 20,000 events (SQLite, in the running host); events/s.";
    public override IEnumerable<IBenchOption> Options => [_accounts, _eventsPerAccount];

    private static readonly Metric Rate = new("events/s", Better.Higher);

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var accounts = Math.Max(1, context.Get(_accounts));
        var perAccount = Math.Max(1, context.Get(_eventsPerAccount));
        var runs = context.Runs(2);
        var rebuild = new BenchmarkResult(context.Suite, "rebuild", Rate);
        var catchUp = new BenchmarkResult(context.Suite, "catch-up", Rate);
        var hosts = new Dictionary<Variant, InProcessBankHost>();
        try
        {
            foreach (var variant in context.Variants.Where(v => v.Available()))
            {
                var label = $"{Name} [{variant.Label()}]";
                try
                {
                    var host = hosts[variant] = await InProcessBankHost.StartAsync(variant, cancellationToken);
                    var readSide = host.Services.GetRequiredService<BankReadSide>();
                    var positions = host.Services.GetRequiredService<JournalPositions>();
                    var clock = Stopwatch.StartNew();
                    var at = DateTimeOffset.UtcNow.AddDays(-1);
                    await JournalSeeding.WriteAsync(host.Services.GetRequiredService<ActorSystem>(),
                        Enumerable.Range(0, accounts).Select(i => AccountData.Id(i))
                            .Select(id => (id, (IReadOnlyList<AccountEvent>)AccountData.History(id, perAccount, at).ToList())),
                        cancellationToken, eventsPerWrite: perAccount, eventsPerCall: 10_000);
                    // The highest account event's offset: the journal's highest row may be one the projection never reads.
                    var highest = (await readSide.Accounts.GetStatusAsync(cancellationToken)).HighestOffset;
                    context.Info(label, $"{host.Description}; wrote {accounts * perAccount:N0} events in {clock.Elapsed.TotalSeconds:0.0} s");
                    clock.Restart();
                    if (!await readSide.Accounts.WaitForOffsetAsync(highest, TimeSpan.FromMinutes(10), cancellationToken))
                        throw new TimeoutException($"The projection did not catch up with offset {highest} within 10 minutes.");
                    var caughtUp = accounts * perAccount / clock.Elapsed.TotalSeconds;
                    catchUp.With(variant, [caughtUp]);
                    context.Progress.Sample($"{context.Suite} {label}", "catch-up", caughtUp, Rate.Unit, $"{accounts * perAccount:N0} events while they were being written and after");
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    rebuild.Failures[variant] = catchUp.Failures[variant] = $"{e.GetType().Name}: {e.Message}";
                    context.Info(label, $"FAILED: {e}");
                }
            }

            var samples = hosts.Keys.ToDictionary(v => v, _ => new List<double>());
            for (var run = 1; run <= runs; run++)
            {
                foreach (var (variant, host) in hosts.Where(h => !rebuild.Failures.ContainsKey(h.Key)))
                {
                    var label = $"{Name} [{variant.Label()}]";
                    try
                    {
                        var readSide = host.Services.GetRequiredService<BankReadSide>();
                        Measure.FullCollect();
                        var mark = RunStats.Start();
                        var started = Stopwatch.StartNew();
                        var progress = await readSide.Accounts.RebuildAsync(cancellationToken);
                        while (true)
                        {
                            var status = await readSide.Accounts.GetStatusAsync(cancellationToken);
                            if (status.Rebuild is { Completed: true } done)
                            {
                                progress = done;
                                break;
                            }
                            if (started.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("The rebuild did not complete within 10 minutes.");
                            await Task.Delay(5, cancellationToken);
                        }
                        started.Stop();
                        var stats = mark.Stop();
                        if (progress.EventsDone < accounts * perAccount)
                            throw new InvalidOperationException($"The rebuild replayed {progress.EventsDone:N0} events, not {accounts * perAccount:N0}.");
                        var rate = progress.EventsDone / started.Elapsed.TotalSeconds;
                        samples[variant].Add(rate);
                        context.Progress.Sample($"{context.Suite} {label}", $"run {run}/{runs}", rate, Rate.Unit,
                            string.Create(CultureInfo.InvariantCulture, $"{progress.EventsDone:N0} events in {started.Elapsed.TotalSeconds:0.0} s; {stats}"));
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        rebuild.Failures[variant] = $"{e.GetType().Name}: {e.Message}";
                        context.Info(label, $"FAILED: {e}");
                    }
                }
            }
            foreach (var (variant, list) in samples.Where(s => s.Value.Count > 0 && !rebuild.Failures.ContainsKey(s.Key)))
            {
                rebuild.With(variant, list);
                rebuild.Notes.Add($"{hosts[variant].Description}; {accounts * perAccount:N0} events of {accounts:N0} accounts");
            }
        }
        finally
        {
            foreach (var host in hosts.Values) await host.DisposeAsync();
        }
        rebuild.Bottleneck = "the read-model writes (batches of up to 1,000 events per SQLite transaction) and deserializing every event; on plain defaults the stock SqlReadJournal's current events-by-tag query (about 1 k events/s)";
        catchUp.Bottleneck = "the same, live, while the journal was being written";
        return [rebuild, catchUp];
    }
}
