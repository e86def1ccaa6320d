using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Http;

/// <summary>
/// A load program for the bank API. Opens N accounts, then keeps C requests in flight over C keep-alive HTTP/1.1
/// connections (the lean <see cref="RawHttpConnection"/>, not HttpClient, which costs as much CPU as the host's HTTP work
/// and runs on the same cores) for a fixed time: random deposits and withdrawals (amounts in cents, so every sum is exact) on random
/// accounts. It counts requests per second per window, latency percentiles over the whole measured time, refused
/// overdraws (409 insufficient-funds) and errors. At the end every account's balance (GET /accounts/{id}) must equal
/// its opening deposit plus the acknowledged deposits minus the acknowledged withdrawals.
/// </summary>
public sealed class HttpLoadBenchmark : Benchmark
{
    private readonly BenchOption<string> _url = new("url", "", "Load an already running host (e.g. http://127.0.0.1:5000) instead of starting one in-process per variant.");
    private readonly BenchOption<int> _accounts = new("accounts", 1_000, "How many accounts.");
    private readonly BenchOption<double> _duration = new("duration", 15, "Measured seconds per variant (split into --windows windows; at most 600).");
    private readonly BenchOption<int> _windows = new("windows", 3, "Measured windows (the median of their requests/s is reported).");
    private readonly BenchOption<int> _concurrency = new("concurrency", 64, "Requests in flight (= keep-alive connections, one request at a time each).");
    // 20 s, not 3: for the first ten seconds or so under load the tiered JIT is still recompiling the request path with its
    // profile (16 % of the CPU in the measured windows of a 3 s warm-up, throughput rising window after window); the
    // figure is the host's steady state, not its start.
    private readonly BenchOption<double> _warmupSeconds = new("warmup-seconds", 20, "Seconds of load before measuring.");
    private readonly BenchOption<bool> _sharedFile = new("shared-file", false,
        "Also load each variant's host with the read model in the journal's SQLite file (the layout before), windows interleaved: the *-shared-file rows.");

    public override string Name => "load";
    public override string Description => "In-process host on SQLite: random deposits/withdrawals over 64 keep-alive connections; requests/s, p50/p99, balance check.";
    public override IEnumerable<IBenchOption> Options => [_url, _accounts, _duration, _windows, _concurrency, _warmupSeconds, _sharedFile];

    private static readonly Metric Throughput = new("req/s", Better.Higher);
    private static readonly Metric Latency = new("ms", Better.Lower);
    private static readonly Metric Mismatches = new("accounts", Better.Lower, Target: 0, TargetSource: "balance check: every balance = opening + acknowledged deposits - acknowledged withdrawals");

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var throughput = new BenchmarkResult(context.Suite, Name, Throughput);
        var p50 = new BenchmarkResult(context.Suite, Name + "-p50", Latency);
        var p99 = new BenchmarkResult(context.Suite, Name + "-p99", Latency);
        var balances = new BenchmarkResult(context.Suite, "balance-check", Mismatches);
        var sharedThroughput = new BenchmarkResult(context.Suite, Name + "-shared-file", Throughput);
        var sharedP50 = new BenchmarkResult(context.Suite, Name + "-p50-shared-file", Latency);
        var sharedP99 = new BenchmarkResult(context.Suite, Name + "-p99-shared-file", Latency);
        var sharedBalances = new BenchmarkResult(context.Suite, "balance-check-shared-file", Mismatches);
        var withSharedFile = context.Get(_sharedFile) && string.IsNullOrWhiteSpace(context.Get(_url));
        BenchmarkResult[] rows = withSharedFile
            ? [throughput, p50, p99, balances, sharedThroughput, sharedP50, sharedP99, sharedBalances]
            : [throughput, p50, p99, balances];
        var url = context.Get(_url);
        var accounts = Math.Max(1, context.Get(_accounts));
        var concurrency = Math.Clamp(context.Get(_concurrency), 1, 4096);
        var windows = Math.Max(1, context.Get(_windows));
        var duration = TimeSpan.FromSeconds(Math.Clamp(context.Get(_duration), 1, 600));
        var warmup = TimeSpan.FromSeconds(Math.Clamp(context.Get(_warmupSeconds), 0, 60));
        var variants = string.IsNullOrWhiteSpace(url) ? context.Variants.Where(v => v.Available()).ToList() : [Variant.Ours];

        // Every variant's host is started and its accounts opened first; then the load windows are interleaved (ours,
        // plain, ours, plain ...), one host loaded at a time, so a machine whose speed drifts shifts both alike.
        var sessions = new List<Session>();
        // ACTORS_BENCH_ALLOCATIONS=N: the N types the host and load generator allocate most, per window (both run here).
        using var allocations = AllocationSampler.FromEnvironment();
        try
        {
            foreach (var (variant, sharedFile) in variants.SelectMany(v => (withSharedFile ? new[] { false, true } : [false]).Select(shared => (v, shared))))
            {
                try
                {
                    var label = $"{Name} [{variant.Label()}{(sharedFile ? ", read model in the journal's file" : "")}]";
                    sessions.Add(await Session.StartAsync(context, label, variant, url, accounts, concurrency, cancellationToken, sharedFile));
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Fail(variant, e);
                }
            }
            if (warmup > TimeSpan.Zero)
            {
                foreach (var session in sessions.ToList())
                {
                    try
                    {
                        var w = await LoadAsync(session.Connections, session.Ledger, session.AccountIds, warmup, cancellationToken);
                        context.Progress.Sample($"{context.Suite} {session.Label}", "warm-up", w.Rate, "req/s", w.Summary);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        Fail(session.Variant, e);
                        sessions.Remove(session);
                    }
                }
            }
            for (var i = 1; i <= windows; i++)
            {
                foreach (var session in sessions.ToList())
                {
                    try
                    {
                        Measure.FullCollect();
                        allocations?.TakeReport();
                        var mark = RunStats.Start();
                        var run = await LoadAsync(session.Connections, session.Ledger, session.AccountIds, duration / windows, cancellationToken);
                        var stats = mark.Stop();
                        session.Record(run, stats);
                        context.Progress.Sample($"{context.Suite} {session.Label}", $"window {i}/{windows}", run.Rate, "req/s", $"{run.Summary}; {stats}");
                        if (allocations is not null) context.Progress.Info($"{context.Suite} {session.Label}", allocations.TakeReport());
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        Fail(session.Variant, e);
                        sessions.Remove(session);
                    }
                }
            }

            foreach (var session in sessions)
            {
                try
                {
                    var all = session.Latencies;
                    all.Sort();
                    var (median, tail, p999) = (Percentile(all, 0.50), Percentile(all, 0.99), Percentile(all, 0.999));
                    var totals = session.Totals;
                    var summary = $"{accounts:N0} accounts, {concurrency} in flight, {duration.TotalSeconds:0} s measured in {windows} windows: {totals.Requests:N0} requests, "
                                  + $"p50 {median:0.0} ms, p99 {tail:0.0} ms, p99.9 {p999:0.0} ms, max {Percentile(all, 1):0.0} ms; {totals.Deposits:N0} deposits, "
                                  + $"{totals.Withdrawals:N0} withdrawals, {totals.Refused:N0} refused overdraws (409), {totals.Errors:N0} errors; "
                                  + string.Create(CultureInfo.InvariantCulture, $"{session.CpuMicrosecondsPerRequest:0} us of CPU per request (host and load generator)");
                    context.Info(session.Label, summary);

                    var clock = Stopwatch.StartNew();
                    var (checkedCount, mismatched, uncertain) = await CheckBalancesAsync(session.Client, session.Ledger, session.RunId, concurrency, context, session.Label, cancellationToken);
                    var verdict = mismatched == 0 && uncertain == 0 && session.Ledger.Errors == 0 ? "PASS" : "FAIL";
                    verdict += $": {checkedCount:N0} of {accounts:N0} accounts checked, {mismatched:N0} mismatched, {uncertain:N0} with an unknown outcome (error or timeout) left out, {session.Ledger.Errors:N0} errors";
                    context.Info(session.Label, $"balance check {verdict} ({clock.Elapsed.TotalSeconds:0.0} s)");

                    var (t, m, tl, b) = session.SharedFile ? (sharedThroughput, sharedP50, sharedP99, sharedBalances) : (throughput, p50, p99, balances);
                    t.With(session.Variant, session.Rates);
                    m.With(session.Variant, [median]);
                    tl.With(session.Variant, [tail]);
                    b.With(session.Variant, [mismatched + uncertain]);
                    t.Notes.Add($"{session.Description}; {summary}");
                    b.Notes.Add($"{session.Variant.Label()}: {verdict}");
                    if (session.Variant == Variant.Ours && !session.SharedFile)
                    {
                        var ours = session.Stats;
                        throughput.Bottleneck = string.Create(CultureInfo.InvariantCulture,
                            $"the SQLite journal's write path (one writer, CPU per event in Akka.Persistence.Sql), not HTTP: process {ours.ProcessCores:0.0} cores, machine {ours.MachineBusyCores:0.0} of {Environment.ProcessorCount}, GC paused {ours.GcPauseShare:P0}");
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Fail(session.Variant, e);
                }
            }
        }
        finally
        {
            foreach (var session in sessions) await session.DisposeAsync();
        }
        throughput.Bottleneck ??= "-";
        sharedThroughput.Bottleneck = sharedP50.Bottleneck = sharedBalances.Bottleneck = "-";
        sharedP99.Bottleneck = "as load-p99, and the read model's transactions queue behind the journal's on the file's one write lock";
        p50.Bottleneck = p99.Bottleneck = $"queueing: {concurrency} requests in flight / the journal's throughput (Little's law); p99 adds GC pauses and write batches";
        balances.Bottleneck = "-";
        return rows;

        void Fail(Variant variant, Exception e)
        {
            foreach (var row in rows) row.Failures[variant] = $"{e.GetType().Name}: {e.Message}";
            context.Info($"{Name} [{variant.Label()}]", $"FAILED: {e}");
        }
    }

    /// <summary>One variant's host (or the host at --url), its accounts, connections and what its windows measured.</summary>
    /// <summary>A teller's bearer token for a host given by URL (the in-process host mints its own).</summary>
    public const string TokenVariable = "BANK_BENCH_TOKEN";

    private sealed class Session : IAsyncDisposable
    {
        private readonly InProcessBankHost? _host;
        private readonly SocketsHttpHandler _handler;
        private TimeSpan _cpu;
        private double _wall;

        private Session(Variant variant, string label, InProcessBankHost? host, Uri address, string description, int accounts, int concurrency, string? token)
        {
            Variant = variant;
            Label = label;
            _host = host;
            Description = description;
            _handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = concurrency,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                UseCookies = false,
                UseProxy = false,
                AutomaticDecompression = DecompressionMethods.None,
                ConnectTimeout = TimeSpan.FromSeconds(10),
            };
            Client = new HttpClient(_handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
            Client.DefaultRequestHeaders.ExpectContinue = false;
            if (token is not null) Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            Ledger = new Ledger(accounts);
            RunId = Guid.NewGuid().ToString("N")[..8];
            AccountIds = Enumerable.Range(0, accounts).Select(i => Encoding.UTF8.GetBytes(AccountId(RunId, i))).ToArray();
            Connections = Enumerable.Range(0, concurrency).Select(_ => RawHttpConnection.For(address, token)).ToArray();
        }

        public Variant Variant { get; }
        public string Label { get; }

        /// <summary>The host keeps its read model in the journal's SQLite file (the layout before it got its own).</summary>
        public bool SharedFile { get; private init; }
        public string Description { get; }
        public HttpClient Client { get; }
        public Ledger Ledger { get; }
        public string RunId { get; }
        public byte[][] AccountIds { get; }
        public RawHttpConnection[] Connections { get; }
        public List<double> Rates { get; } = [];
        public List<long> Latencies { get; } = [];
        public LoadResult Totals { get; } = new();

        /// <summary>The whole process's CPU over the measured windows (host and load generator), as cores.</summary>
        public RunStats Stats { get; private set; }

        public double CpuMicrosecondsPerRequest => Totals.Requests == 0 ? double.NaN : _cpu.TotalMicroseconds / Totals.Requests;

        public static async Task<Session> StartAsync(BenchmarkContext context, string label, Variant variant, string url, int accounts, int concurrency,
            CancellationToken cancellationToken, bool sharedFile = false)
        {
            InProcessBankHost? host = null;
            Uri address;
            string description;
            string? token;
            if (string.IsNullOrWhiteSpace(url))
            {
                host = await InProcessBankHost.StartAsync(variant, cancellationToken, readModelInJournalFile: sharedFile);
                (address, description, token) = (host.Address, host.Description, host.Token);
                context.Info(label, $"started at {address}: {description}");
            }
            else
            {
                // A host elsewhere verifies tokens with its own key: the caller brings a teller's token (and lifts that host's command limit).
                (address, description, token) = (new Uri(url), $"the host at {url}", Environment.GetEnvironmentVariable(TokenVariable));
                context.Info(label, $"loading {address}");
            }
            var session = new Session(variant, label, host, address, description, accounts, concurrency, token) { SharedFile = sharedFile };
            try
            {
                var clock = Stopwatch.StartNew();
                await OpenAccountsAsync(session.Client, session.Ledger, session.RunId, concurrency, cancellationToken);
                context.Info(label, $"opened {accounts:N0} accounts (1,000.00 each) in {clock.Elapsed.TotalSeconds:0.0} s");
                return session;
            }
            catch
            {
                await session.DisposeAsync();
                throw;
            }
        }

        public void Record(LoadResult run, RunStats stats)
        {
            Rates.Add(run.Rate);
            Latencies.AddRange(run.Latencies);
            Totals.Add(run, latencies: false);
            _cpu += stats.ProcessCpu;
            // The windows' figures pooled: CPU cores and GC share over all measured time.
            var wall = _wall + stats.Wall.TotalSeconds;
            Stats = Stats.Wall == TimeSpan.Zero ? stats : new RunStats(
                Stats.Wall + stats.Wall, Stats.Gen0 + stats.Gen0, Stats.Gen1 + stats.Gen1, Stats.Gen2 + stats.Gen2, Stats.Paused + stats.Paused,
                Stats.Allocated + stats.Allocated, Stats.ProcessCpu + stats.ProcessCpu,
                (Stats.MachineBusyCores * _wall + stats.MachineBusyCores * stats.Wall.TotalSeconds) / wall,
                Stats.PoolThreadsBefore, stats.PoolThreadsAfter);
            _wall = wall;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var connection in Connections) await connection.DisposeAsync();
            Client.Dispose();
            _handler.Dispose();
            if (_host is not null) await _host.DisposeAsync();
        }
    }

    private static string AccountId(string runId, int i) => $"load-{runId}-{i}";

    private static ByteArrayContent Json(string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static async Task OpenAccountsAsync(HttpClient client, Ledger ledger, string runId, int concurrency, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, ledger.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var id = AccountId(runId, i);
                using var response = await client.PostAsync("/accounts",
                    Json($"{{\"accountId\":\"{id}\",\"owner\":\"Load {i}\",\"initialDeposit\":1000.00}}"), ct);
                if (response.StatusCode != HttpStatusCode.Created)
                    throw new InvalidOperationException($"Opening {id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                ledger.Opened(i, 100_000);
            });
    }

    private static async Task<LoadResult> LoadAsync(RawHttpConnection[] connections, Ledger ledger, byte[][] accountIds, TimeSpan duration, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        // A request that has no answer 30 s after the window's end fails (and its account is left out of the balance check).
        using var stuck = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stuck.CancelAfter(duration + TimeSpan.FromSeconds(30));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        var started = Stopwatch.GetTimestamp();
        var workers = new Task<LoadResult>[connections.Length];
        for (var w = 0; w < connections.Length; w++)
        {
            var connection = connections[w];
            var seed = Random.Shared.Next();
            workers[w] = Task.Run(() => WorkerAsync(connection, ledger, accountIds, deadline, new Random(seed), stuck.Token, cancellationToken), cancellationToken);
        }
        var results = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var total = new LoadResult();
        foreach (var r in results) total.Add(r);
        total.Rate = total.Requests / elapsed.TotalSeconds;
        var requests = Math.Max(1, total.Requests);
        total.CpuPerRequest = (Process.GetCurrentProcess().TotalProcessorTime - cpu) / requests;
        total.BytesPerRequest = (GC.GetTotalAllocatedBytes(precise: false) - allocated) / (double)requests;
        return total;
    }

    private static async Task<LoadResult> WorkerAsync(
        RawHttpConnection connection, Ledger ledger, byte[][] accountIds, long deadline, Random random, CancellationToken stuck, CancellationToken cancellationToken)
    {
        var result = new LoadResult();
        // Bounded by time, and by count as a second line of defence.
        for (var n = 0; n < 10_000_000 && Stopwatch.GetTimestamp() < deadline; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var i = random.Next(ledger.Count);
            var cents = random.Next(1, 10_001); // 0.01 .. 100.00
            var deposit = random.Next(100) < 55;
            var length = BankLoadRequests.WriteChange(connection, accountIds[i], deposit, cents);
            var start = Stopwatch.GetTimestamp();
            try
            {
                var status = await connection.SendAsync(length, stuck);
                result.Latencies.Add(Stopwatch.GetTimestamp() - start);
                result.Requests++;
                switch (status)
                {
                    case 200:
                        ledger.Acknowledged(i, deposit ? cents : -cents);
                        if (deposit) result.Deposits++;
                        else result.Withdrawals++;
                        break;
                    case 409 when !deposit && connection.Body.IndexOf("insufficient-funds"u8) >= 0:
                        result.Refused++;
                        break;
                    default:
                        ledger.Unknown(i, $"{status} {connection.BodyText}");
                        result.Errors++;
                        break;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or InvalidDataException or OperationCanceledException
                                      && !cancellationToken.IsCancellationRequested)
            {
                result.Latencies.Add(Stopwatch.GetTimestamp() - start);
                result.Requests++;
                result.Errors++;
                ledger.Unknown(i, $"{e.GetType().Name}: {e.Message}");
            }
        }
        return result;
    }

    private static async Task<(int Checked, int Mismatched, int Uncertain)> CheckBalancesAsync(
        HttpClient client, Ledger ledger, string runId, int concurrency, BenchmarkContext context, string label, CancellationToken cancellationToken)
    {
        var mismatched = 0;
        var reported = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, ledger.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                if (ledger.IsUncertain(i)) return;
                using var response = await client.GetAsync($"/accounts/{AccountId(runId, i)}", ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                decimal? balance = null;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    using var json = JsonDocument.Parse(body);
                    balance = json.RootElement.GetProperty("balance").GetDecimal();
                }
                var expected = ledger.ExpectedCents(i) / 100m;
                if (balance == expected) return;
                Interlocked.Increment(ref mismatched);
                if (Interlocked.Increment(ref reported) <= 10)
                    context.Progress.Info(label, $"  MISMATCH {AccountId(runId, i)}: expected {expected}, got {(balance?.ToString(CultureInfo.InvariantCulture) ?? body)}");
            });
        var uncertain = Enumerable.Range(0, ledger.Count).Count(ledger.IsUncertain);
        return (ledger.Count - uncertain, mismatched, uncertain);
    }

    private static double Percentile(List<long> sortedTicks, double p)
    {
        if (sortedTicks.Count == 0) return double.NaN;
        var index = (int)Math.Min(sortedTicks.Count - 1, Math.Ceiling(p * sortedTicks.Count) - 1);
        return sortedTicks[Math.Max(0, index)] * 1000.0 / Stopwatch.Frequency;
    }

    /// <summary>What the load generator knows each account's balance must be, in cents.</summary>
    internal sealed class Ledger(int count)
    {
        private readonly long[] _cents = new long[count];
        private readonly int[] _uncertain = new int[count];
        private int _errors;
        private string? _firstError;

        public int Count => count;
        public int Errors => Volatile.Read(ref _errors);

        public void Opened(int i, long cents) => Interlocked.Exchange(ref _cents[i], cents);

        public void Acknowledged(int i, long cents) => Interlocked.Add(ref _cents[i], cents);

        public void Unknown(int i, string error)
        {
            Interlocked.Exchange(ref _uncertain[i], 1);
            if (Interlocked.Increment(ref _errors) == 1) _firstError = error;
            if (_errors <= 5) Console.Error.WriteLine($"error on account {i}: {error}");
        }

        public bool IsUncertain(int i) => Volatile.Read(ref _uncertain[i]) != 0;

        public long ExpectedCents(int i) => Interlocked.Read(ref _cents[i]);

        public string? FirstError => _firstError;
    }

    internal sealed class LoadResult
    {
        public List<long> Latencies { get; } = new(1024);
        public long Requests;
        public long Deposits;
        public long Withdrawals;
        public long Refused;
        public long Errors;
        public double Rate;
        public TimeSpan CpuPerRequest;
        public double BytesPerRequest;

        public void Add(LoadResult other, bool latencies = true)
        {
            if (latencies) Latencies.AddRange(other.Latencies);
            Requests += other.Requests;
            Deposits += other.Deposits;
            Withdrawals += other.Withdrawals;
            Refused += other.Refused;
            Errors += other.Errors;
        }

        public string Summary
        {
            get
            {
                var sorted = Latencies.Order().ToList();
                return $"p50 {Percentile(sorted, 0.5):0.00} ms, p99 {Percentile(sorted, 0.99):0.00} ms, p99.9 {Percentile(sorted, 0.999):0.00} ms; "
                       + $"{Refused:N0} refused, {Errors:N0} errors; CPU {CpuPerRequest.TotalMicroseconds:0} us/req (this process), {BytesPerRequest / 1024:0.0} KB/req";
            }
        }
    }
}
