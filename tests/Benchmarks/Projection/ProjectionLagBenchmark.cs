using System.Diagnostics;
using System.Globalization;
using Actors.Benchmarks.Http;
using Actors.Benchmarks.Nodes;
using Actors.Benchmarks.Shared;
using Bank.Actors.Accounts;
using Bank.Domain;
using Bank.Host.Hosting;
using Bank.ReadModels;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Benchmarks.Projection;

/// <summary>
/// Projection lag: the bank host in-process (as for the HTTP load, SQLite), 1,000 accounts opened, then deposits kept
/// offered at a steady rate (500/s by default, at most 100 in flight) through the host's account gateway (the shard
/// region) for a fixed time; <c>--rate 0</c> offers them as fast as the journal takes them. For every acknowledged deposit:
/// its journal ordering is looked up (as the HTTP answer's offset is), and the time from the acknowledgement until the
/// projection has stored that offset (<c>Projection.WaitForOffsetAsync</c>, what read-your-writes waits on) is its lag.
/// Rows: lag p99 (the figure) and p50 over all measured windows. All hosts are up at once and their windows
/// interleaved. With <c>--shared-file true</c> (the default) each variant runs a second host with the read model in the
/// journal's SQLite file (the layout before the read model got a file of its own), rows <c>lag-p99-shared-file</c> and
/// <c>lag-p50-shared-file</c>: the A/B of the read model's own write lock, in the same run.
/// </summary>
public sealed class ProjectionLagBenchmark : Benchmark
{
    private readonly BenchOption<int> _accounts = new("accounts", 1_000, "How many accounts.");
    private readonly BenchOption<int> _inFlight = new("in-flight", 100, "Deposits in flight (the lag of each acknowledged one is measured beside the load).");
    private readonly BenchOption<double> _seconds = new("seconds", 12, "Measured seconds per variant (in --windows windows).");
    private readonly BenchOption<int> _windows = new("windows", 3, "Measured windows per variant.");
    private readonly BenchOption<double> _rate = new("rate", 500, "Deposits per second offered (paced); 0 = as fast as the journal takes them.");
    private readonly BenchOption<bool> _sharedFile = new("shared-file", true, "Also measure each variant with the read model in the journal's SQLite file (the layout before), interleaved.");

    public override string Name => "lag";
    public override string Description => "Time from a deposit's acknowledgement until the read model holds it, 500 deposits/s offered, SQLite; p99 ms.";
    public override IEnumerable<IBenchOption> Options => [_accounts, _inFlight, _seconds, _windows, _rate, _sharedFile];

    private static readonly Metric Lag = new("ms", Better.Lower);

    private sealed class Session(Variant variant, InProcessBankHost host, bool sharedFile)
    {
        public Variant Variant { get; } = variant;
        public bool SharedFile { get; } = sharedFile;
        public string Label => $"lag [{Variant.Label()}{(SharedFile ? ", read model in the journal's file" : "")}]";
        public InProcessBankHost Host { get; } = host;
        public AccountGateway Gateway { get; } = host.Services.GetRequiredService<AccountGateway>();
        public BankReadSide ReadSide { get; } = host.Services.GetRequiredService<BankReadSide>();
        public JournalPositions Positions { get; } = host.Services.GetRequiredService<JournalPositions>();
        public List<double> Lags { get; } = [];
        public long Deposits;
        public double Seconds;
    }

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var accounts = Math.Max(1, context.Get(_accounts));
        var inFlight = Math.Max(1, context.Get(_inFlight));
        var windows = Math.Max(1, context.Get(_windows));
        var window = TimeSpan.FromSeconds(Math.Clamp(context.Get(_seconds), 1, 600) / windows);
        var rate = Math.Max(0, context.Get(_rate));
        var p99 = new BenchmarkResult(context.Suite, "lag-p99", Lag);
        var p50 = new BenchmarkResult(context.Suite, "lag-p50", Lag);
        var sharedP99 = new BenchmarkResult(context.Suite, "lag-p99-shared-file", Lag);
        var sharedP50 = new BenchmarkResult(context.Suite, "lag-p50-shared-file", Lag);
        BenchmarkResult P99(Session session) => session.SharedFile ? sharedP99 : p99;
        BenchmarkResult P50(Session session) => session.SharedFile ? sharedP50 : p50;
        bool Failed(Session session) => P99(session).Failures.ContainsKey(session.Variant);
        var layouts = context.Get(_sharedFile) ? new[] { false, true } : [false];
        var sessions = new List<Session>();
        try
        {
            foreach (var (variant, sharedFile) in context.Variants.Where(v => v.Available()).SelectMany(v => layouts.Select(shared => (v, shared))))
            {
                var result = sharedFile ? sharedP99 : p99;
                var label = $"{Name} [{variant.Label()}{(sharedFile ? ", read model in the journal's file" : "")}]";
                try
                {
                    var host = await InProcessBankHost.StartAsync(variant, cancellationToken, readModelInJournalFile: sharedFile);
                    var session = new Session(variant, host, sharedFile);
                    sessions.Add(session);
                    context.Info(label, host.Description);
                    var now = DateTimeOffset.UtcNow;
                    (await InFlight.RunAsync(accounts, inFlight, async i =>
                        {
                            var reply = await session.Gateway.SendAsync(new OpenAccount(AccountData.Id(i), AccountData.Owner, AccountData.Currency, 1000m, Guid.NewGuid(), now));
                            return reply is AccountReply.Accepted ? null : reply.ToString();
                        }, TimeSpan.FromMinutes(10), cancellationToken)).EnsureSucceeded("opening the accounts");
                    context.Info(label, $"opened {accounts:N0} accounts");
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    result.Failures[variant] = (sharedFile ? sharedP50 : p50).Failures[variant] = $"{e.GetType().Name}: {e.Message}";
                    context.Info(label, $"FAILED: {e}");
                }
            }

            for (var round = 0; round <= windows; round++)
            {
                foreach (var session in sessions.Where(s => !Failed(s)).ToList())
                {
                    var label = session.Label;
                    try
                    {
                        // The other hosts' projections must not catch up on this window's CPU.
                        foreach (var other in sessions) await CaughtUpAsync(other, cancellationToken);
                        Measure.FullCollect();
                        var mark = RunStats.Start();
                        var lags = new List<double>();
                        var outcome = await LoadAsync(session, accounts, inFlight, rate, window, lags, cancellationToken);
                        var stats = mark.Stop();
                        lags.Sort();
                        var phase = round == 0 ? "warm-up" : $"window {round}/{windows}";
                        context.Progress.Sample($"{context.Suite} {label}", phase, Stats.Percentile(lags, 0.99), "ms p99",
                            string.Create(CultureInfo.InvariantCulture,
                                $"p50 {Stats.Percentile(lags, 0.5):0.0} ms, max {Stats.Percentile(lags, 1):0.0} ms; {outcome.Succeeded / outcome.Elapsed.TotalSeconds:N0} deposits/s; {stats}"));
                        if (round == 0) continue;
                        session.Lags.AddRange(lags);
                        session.Deposits += outcome.Succeeded;
                        session.Seconds += outcome.Elapsed.TotalSeconds;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        P99(session).Failures[session.Variant] = P50(session).Failures[session.Variant] = $"{e.GetType().Name}: {e.Message}";
                        context.Info(label, $"FAILED: {e}");
                    }
                }
            }

            foreach (var session in sessions.Where(s => !Failed(s) && s.Lags.Count > 0))
            {
                session.Lags.Sort();
                P99(session).With(session.Variant, [Stats.Percentile(session.Lags, 0.99)]);
                P50(session).With(session.Variant, [Stats.Percentile(session.Lags, 0.5)]);
                P99(session).Notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{session.Host.Description}; {session.Lags.Count:N0} deposits at {session.Deposits / session.Seconds:N0}/s ({(rate > 0 ? $"{rate:N0}/s offered" : "unpaced")}, at most {inFlight} in flight); p99.9 {Stats.Percentile(session.Lags, 0.999):0.0} ms, max {Stats.Percentile(session.Lags, 1):0.0} ms"));
            }
        }
        finally
        {
            foreach (var session in sessions) await session.Host.DisposeAsync();
        }
        p99.Bottleneck = "the machine's CPU shared by load, journal and projection; the read model has its own SQLite file and write lock (our read journal is woken by writes, else polls every 100 ms; the stock one polls every 1 s by default)";
        p50.Bottleneck = sharedP50.Bottleneck = "-";
        sharedP99.Bottleneck = "the projection's read-model transaction on the journal file's one write lock, behind the journal's writes (SQLite's busy handler sleeps 1 .. 100 ms between tries)";
        return layouts.Length > 1 ? [p99, p50, sharedP99, sharedP50] : [p99, p50];
    }

    /// <summary>
    /// Deposits kept in flight for <paramref name="duration"/>; each acknowledged one starts its own lag measurement
    /// (ordering lookup, then the wait for the projection) beside the load, so that the load runs at the journal's pace
    /// and not at the projection's. Waits for every measurement before returning.
    /// </summary>
    private static async Task<InFlight.Outcome> LoadAsync(Session session, int accounts, int inFlight, double rate, TimeSpan duration, List<double> lags, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var measurements = new List<Task<string?>>();
        var start = Stopwatch.GetTimestamp();
        var outcome = await InFlight.RunAsync(int.MaxValue, inFlight, async i =>
        {
            // Paced: deposit i is not sent before start + i / rate (a steady offered load, as live traffic is).
            if (rate > 0 && TimeSpan.FromSeconds(i / rate) - Stopwatch.GetElapsedTime(start) is { TotalMilliseconds: > 1 } wait)
                await Task.Delay(wait, cancellationToken);
            var accountId = AccountData.Id(Random.Shared.Next(accounts));
            var reply = await session.Gateway.SendAsync(new Deposit(accountId, 1m, Guid.NewGuid(), now), cancellationToken);
            var acknowledged = Stopwatch.GetTimestamp();
            if (reply is not AccountReply.Accepted accepted) return reply.ToString();
            var measurement = MeasureLagAsync(session, accountId, accepted.View.Version, acknowledged, lags, cancellationToken);
            lock (measurements) measurements.Add(measurement);
            return null;
        }, duration, cancellationToken);
        var failures = (await Task.WhenAll(measurements)).Where(f => f is not null).ToList();
        if (failures.Count > 0) throw new InvalidOperationException($"{failures.Count:N0} lag measurements failed; first: {failures[0]}");
        return outcome;
    }

    /// <summary>Waits (at most 60 s) until the session's projection holds every event in its journal.</summary>
    private static async Task CaughtUpAsync(Session session, CancellationToken cancellationToken)
    {
        // The highest offset of an account event: the journal also holds rows the projection never reads (the transfers'
        // shard coordinator and remembered entities), so its highest ordering may never be the projection's offset.
        var highest = (await session.ReadSide.Accounts.GetStatusAsync(cancellationToken).ConfigureAwait(false)).HighestOffset;
        if (!await session.ReadSide.Accounts.WaitForOffsetAsync(highest, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false))
            throw new InvalidOperationException($"{session.Label}: the projection did not reach the journal's offset {highest} within 60 s.");
    }

    private static async Task<string?> MeasureLagAsync(Session session, string accountId, long version, long acknowledged, List<double> lags, CancellationToken cancellationToken)
    {
        var ordering = await session.Positions.OrderingOfAsync(accountId, version, cancellationToken).ConfigureAwait(false);
        if (ordering is null) return $"event {version} of {accountId} is not in the journal";
        if (!await session.ReadSide.Accounts.WaitForOffsetAsync(ordering.Value, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false))
            return $"offset {ordering} not in the read model after 60 s";
        var lag = Stopwatch.GetElapsedTime(acknowledged).TotalMilliseconds;
        lock (lags) lags.Add(lag);
        return null;
    }
}
