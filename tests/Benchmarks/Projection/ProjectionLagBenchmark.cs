using System.CommandLine;
using System.Diagnostics;
using System.Threading.Channels;
using Actors.Benchmarks.Persistence;
using Actors.Benchmarks.Shared;
using Actors.Core;
using Bank.Actors;
using Bank.Domain;

namespace Actors.Benchmarks.Projection;

/// <summary>
/// How far the read model trails the journal while accounts are written to. N accounts on SQLite with the bank
/// projection running; C deposits are kept in flight for a fixed time (each reply sends the next deposit to a random
/// account). Each reply carries the journal ordering of its event, and the write is committed before the reply is
/// sent: the lag of an event is the time from its reply to the moment the projection's stored offset (committed with
/// the read-model rows) reaches its ordering. Every reply is measured, not a sample. One row per percentile (the median
/// of the runs' figures) and the write load's rate.
/// </summary>
public sealed class ProjectionLagBenchmark : AsyncBenchmark
{
    private readonly BenchOption<int> _accounts = new("--accounts", 1_000, "How many accounts.");
    private readonly BenchOption<int> _inFlight = new("--in-flight", 200, "Deposits in flight at any time (closed loop).");
    private readonly BenchOption<double> _seconds = new("--seconds", 5, "Length of each run's write load.");

    public override string Name => "lag";
    public override string Description => "Projection lag (reply -> event in the read model) while deposits are written to SQLite; p50/p99 ms.";
    public override IEnumerable<Option> Options => [_accounts, _inFlight, _seconds];

    private static readonly Metric P99 = new("ms", Better.Lower, null, "-", Target: 100);
    private static readonly Metric Latency = new("ms", Better.Lower, null, "-", null);
    private static readonly Metric Load = new("cmd/s", Better.Higher, null, "-", null);

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var label = $"{context.Suite} {Name}";
        var accounts = Math.Max(1, context.Get(_accounts));
        var inFlight = Math.Max(1, context.Get(_inFlight));
        var duration = TimeSpan.FromSeconds(Math.Clamp(context.Get(_seconds), 0.5, 120));
        var settings = new AccountSettings();

        await using var stores = await BenchStores.CreateAsync(StoreKind.Sqlite, null, cancellationToken);
        await using var readSide = new ReadSide(stores);
        await readSide.Projection.StartAsync(cancellationToken);
        await using var node = BankNode.Start(stores, settings, "lag");

        var clock = Stopwatch.StartNew();
        var opened = new ReplyCounter(accounts);
        var now = DateTimeOffset.UtcNow;
        for (var a = 0; a < accounts; a++)
            node.Region.Tell(new OpenAccount(AccountData.Id(a), AccountData.Owner, AccountData.Currency, 1000m, Guid.NewGuid(), now), opened);
        await opened.WaitAsync(TimeSpan.FromSeconds(120), cancellationToken, "opening the accounts");
        opened.EnsureAll(r => r.Accepted, "opening the accounts");
        await CatchUpAsync(readSide, stores, cancellationToken);
        context.Progress.Info(label, $"opened {accounts:N0} accounts and the read model caught up in {clock.Elapsed.TotalSeconds:0.0} s");

        var p50s = new List<double>();
        var p99s = new List<double>();
        var p999s = new List<double>();
        var rates = new List<double>();
        var lastLoad = "";
        var call = 0;
        await Measure.RepeatAsync(context, Name, P99, async ct =>
        {
            var measured = ++call > context.Warmups;
            var run = await LoadAsync(node, readSide, accounts, inFlight, duration, ct);
            await CatchUpAsync(readSide, stores, ct);
            var (p50, p99, p999) = (Percentile(run.Lags, 0.5), Percentile(run.Lags, 0.99), Percentile(run.Lags, 0.999));
            if (measured)
            {
                p50s.Add(p50);
                p99s.Add(p99);
                p999s.Add(p999);
                rates.Add(run.Rate);
            }
            lastLoad = $"{run.Replies:N0} deposits at {run.Rate:N0} cmd/s";
            context.Progress.Info(label, $"  lag p50 {p50:0.0} ms, p99 {p99:0.0} ms, p99.9 {p999:0.0} ms, max {Percentile(run.Lags, 1):0.0} ms over {run.Lags.Count:N0} events; {lastLoad}");
            return p99;
        }, cancellationToken);

        var note = $"{accounts:N0} accounts, {inFlight} deposits in flight for {duration.TotalSeconds:0} s per run, SQLite FULL, projection batch {readSide.Projection.Settings.MaxBatchSize}; lag = reply -> stored projection offset";
        return
        [
            new BenchmarkResult(context.Suite, Name + " p99", P99, p99s, note),
            new BenchmarkResult(context.Suite, Name + " p50", Latency, p50s),
            new BenchmarkResult(context.Suite, Name + " p99.9", Latency, p999s),
            new BenchmarkResult(context.Suite, Name + " write load", Load, rates, "the deposits written while the lag was measured"),
        ];
    }

    /// <summary>Waits until the projection has every event the journal holds.</summary>
    private static async Task CatchUpAsync(ReadSide readSide, BenchStores stores, CancellationToken cancellationToken)
    {
        var status = await readSide.Projection.GetStatusAsync(cancellationToken);
        if (!await readSide.Projection.WaitForOffsetAsync(status.HighestOffset, TimeSpan.FromSeconds(120), cancellationToken))
            throw new TimeoutException($"The projection did not reach offset {status.HighestOffset} ({readSide.Projection.Status}); {stores.Description}");
    }

    private static async Task<LoadRun> LoadAsync(BankNode node, ReadSide readSide, int accounts, int inFlight, TimeSpan duration, CancellationToken cancellationToken)
    {
        var acknowledged = Channel.CreateUnbounded<(long Ordering, long RepliedAt)>(new UnboundedChannelOptions { SingleReader = true });
        var load = new ClosedLoop(node.Region, accounts, acknowledged.Writer);
        var tracker = TrackAsync(readSide, acknowledged.Reader, cancellationToken);

        var started = Stopwatch.GetTimestamp();
        load.Start(inFlight);
        await Task.Delay(duration, cancellationToken);
        await load.StopAsync(TimeSpan.FromSeconds(60), cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        acknowledged.Writer.TryComplete();
        var lags = await tracker;
        if (load.Failure is { } failure) throw new InvalidOperationException($"A deposit failed: {failure}");
        return new LoadRun(lags, load.Replies, load.Replies / elapsed.TotalSeconds);
    }

    /// <summary>For each acknowledged event in reply order: waits until the stored offset reaches it, and notes how long after its reply.</summary>
    private static async Task<List<double>> TrackAsync(ReadSide readSide, ChannelReader<(long Ordering, long RepliedAt)> acknowledged, CancellationToken cancellationToken)
    {
        var lags = new List<double>(200_000);
        var projection = readSide.Projection;
        await foreach (var (ordering, repliedAt) in acknowledged.ReadAllAsync(cancellationToken))
        {
            if (projection.Offset < ordering && !await projection.WaitForOffsetAsync(ordering, TimeSpan.FromSeconds(60), cancellationToken))
                throw new TimeoutException($"The projection did not reach offset {ordering} within 60 s ({projection.Status}).");
            lags.Add(Stopwatch.GetElapsedTime(repliedAt).TotalMilliseconds);
        }
        lags.Sort();
        return lags;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private sealed record LoadRun(List<double> Lags, long Replies, double Rate);

    /// <summary>
    /// The load: the sender of the deposits (not an actor). Each accepted reply is handed to the tracker and, while the
    /// load runs, sends the next deposit of 1.00 to a random account, so the number in flight stays constant.
    /// </summary>
    private sealed class ClosedLoop(IActorRef region, int accounts, ChannelWriter<(long Ordering, long RepliedAt)> acknowledged) : IActorRef
    {
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _stopping;
        private int _inFlight;
        private long _replies;

        public ActorPath Path { get; } = ActorPath.Root("bench").Child("load");
        public long Replies => Interlocked.Read(ref _replies);
        public string? Failure { get; private set; }

        public void Start(int inFlight)
        {
            Interlocked.Add(ref _inFlight, inFlight);
            for (var i = 0; i < inFlight; i++) SendNext();
        }

        public async Task StopAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            _stopping = true;
            if (Volatile.Read(ref _inFlight) == 0) return;
            await _drained.Task.WaitAsync(timeout, cancellationToken);
        }

        public void Tell(object message, IActorRef? sender)
        {
            if (message is AccountReply.Accepted accepted)
            {
                Interlocked.Increment(ref _replies);
                acknowledged.TryWrite((accepted.Ordering, Stopwatch.GetTimestamp()));
            }
            else
            {
                Failure ??= message.ToString();
            }

            if (!_stopping && Failure is null) SendNext();
            else if (Interlocked.Decrement(ref _inFlight) == 0) _drained.TrySetResult();
        }

        private void SendNext() =>
            region.Tell(new Deposit(AccountData.Id(Random.Shared.Next(accounts)), 1m, Guid.NewGuid(), DateTimeOffset.UtcNow), this);
    }
}
