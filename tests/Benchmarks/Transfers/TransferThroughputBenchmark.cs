using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Actors.Benchmarks.Http;
using Actors.Benchmarks.Persistence;
using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Transfers;

/// <summary>
/// Transfers per second end to end: the product host (hocon/bank.conf as shipped: group-commit journal, remembered
/// transfer entities) in this process on Kestrel (<see cref="InProcessBankHost"/>), on SQLite and on PostgreSQL. N accounts are opened; then T transfers
/// between random accounts are posted with C in flight, and the clock stops when the last of them has ended (completed or
/// failed, polled with GET /transfers/{id}). The reference, measured on the same host in the same run: the same number of
/// deposits with C in flight (one account command each; a transfer is two account commands and three of its own events).
/// Afterwards the balances must add up to what was deposited (money conserved).
/// </summary>
public sealed class TransferThroughputBenchmark : Benchmark
{
    private readonly BenchOption<int> _accounts = new("accounts", 1_000, "How many accounts.");
    private readonly BenchOption<int> _transfers = new("transfers", 5_000, "Transfers (and reference deposits) per run.");
    private readonly BenchOption<int> _concurrency = new("concurrency", 64, "Requests in flight.");
    private readonly BenchOption<string> _stores = new("stores", "sqlite,postgres", "sqlite, postgres or both.");

    public override string Name => "throughput";
    public override string Description => "Transfers/s end to end (posted until all ended), beside deposits/s on the same host; SQLite and PostgreSQL.";
    public override IEnumerable<IBenchOption> Options => [_accounts, _transfers, _concurrency, _stores];

    private static readonly Metric PerSecond = new("/s", Better.Higher);
    private static readonly Metric Mismatch = new("EUR", Better.Lower, Target: 0, TargetSource: "money conserved: the sum of the balances is what was deposited");

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var results = new List<BenchmarkResult>();
        var runs = context.Runs(1);
        foreach (var store in context.Get(_stores).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var transfers = new BenchmarkResult(context.Suite, $"transfers-{store}", PerSecond);
            var deposits = new BenchmarkResult(context.Suite, $"deposits-{store} (reference)", PerSecond);
            var conserved = new BenchmarkResult(context.Suite, $"money-check-{store}", Mismatch);
            results.AddRange([transfers, deposits, conserved]);
            PostgresInstance? postgres = null;
            try
            {
                if (store == "postgres") postgres = await PostgresInstance.StartAsync(text => context.Info(Name, text), cancellationToken);
                List<double> transferRates = [], depositRates = [], mismatches = [];
                for (var run = 1; run <= runs; run++)
                {
                    var (transferRate, depositRate, mismatch) = await RunOnceAsync(context, store, postgres, cancellationToken);
                    transferRates.Add(transferRate);
                    depositRates.Add(depositRate);
                    mismatches.Add(mismatch);
                }
                transfers.With(Variant.Ours, transferRates);
                deposits.With(Variant.Ours, depositRates);
                conserved.With(Variant.Ours, mismatches);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                context.Info(Name, $"{store} FAILED: {e}");
                transfers.Failures[Variant.Ours] = e.Message;
            }
            finally
            {
                if (postgres is not null) await postgres.DisposeAsync();
            }
        }
        return results;
    }

    private async Task<(double Transfers, double Deposits, double Mismatch)> RunOnceAsync(
        BenchmarkContext context, string store, PostgresInstance? postgres, CancellationToken cancellationToken)
    {
        var accounts = Math.Max(2, context.Get(_accounts));
        var count = Math.Max(1, context.Get(_transfers));
        var concurrency = Math.Max(1, context.Get(_concurrency));
        Func<ValueTask>? drop = null;
        string? postgresDatabase = null;
        if (postgres is not null) (postgresDatabase, drop) = await postgres.CreateDatabaseAsync(cancellationToken);
        try
        {
            // The product's host as shipped (group-commit journal, fast read journal and snapshot store), authentication on.
            await using var host = await InProcessBankHost.StartAsync(Variant.GroupCommit, cancellationToken, postgresDatabase: postgresDatabase);
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(60) };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", host.Token);
            var label = $"{Name} [{store}]";
            var ids = Enumerable.Range(0, accounts).Select(i => $"bench-{i}").ToArray();
            const decimal opening = 1_000m;
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (id, ct) =>
                await Expect(Post(client, "/accounts", $$"""{"accountId":"{{id}}","owner":"Bench","initialDeposit":{{opening}}}""", ct), HttpStatusCode.Created));
            context.Info(label, $"{accounts:N0} accounts opened");

            var random = new Random(42);
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (_, ct) =>
                await Expect(Post(client, $"/accounts/{ids[Random.Shared.Next(accounts)]}/deposits", """{"amount":1}""", ct), HttpStatusCode.OK));
            var depositRate = count / clock.Elapsed.TotalSeconds;
            context.Progress.Sample(label, "deposits (reference)", depositRate, "/s", $"{count:N0} deposits, {concurrency} in flight, {clock.Elapsed.TotalSeconds:0.0} s");

            var plan = Enumerable.Range(0, count).Select(_ =>
            {
                var from = random.Next(accounts);
                return (Id: Guid.NewGuid(), From: ids[from], To: ids[(from + 1 + random.Next(accounts - 1)) % accounts], Amount: random.Next(1, 10_001) / 100m);
            }).ToArray();
            var pending = new ConcurrentQueue<Guid>();
            clock.Restart();
            var lastProgress = clock.Elapsed;
            var posted = 0;
            await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (t, ct) =>
            {
                var body = string.Create(CultureInfo.InvariantCulture, $$"""{"transferId":"{{t.Id}}","fromAccountId":"{{t.From}}","toAccountId":"{{t.To}}","amount":{{t.Amount}}}""");
                await Expect(Post(client, "/transfers", body, ct), HttpStatusCode.Accepted);
                pending.Enqueue(t.Id);
                if (Interlocked.Increment(ref posted) % 1000 == 0) context.Info(label, $"{posted:N0} transfers posted after {clock.Elapsed.TotalSeconds:0.0} s");
            });
            var postedAfter = clock.Elapsed;
            var outcomes = new ConcurrentDictionary<string, int>();
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (id, ct) =>
            {
                while (true)
                {
                    using var response = await client.GetAsync($"/transfers/{id}", ct);
                    var status = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status").GetString()!;
                    if (status != "pending")
                    {
                        outcomes.AddOrUpdate(status, 1, (_, n) => n + 1);
                        return;
                    }
                    await Task.Delay(20, ct);
                }
            });
            var transferRate = count / clock.Elapsed.TotalSeconds;
            context.Progress.Sample(label, "transfers", transferRate, "/s",
                $"{count:N0} transfers between {accounts:N0} accounts, {concurrency} in flight: all posted after {postedAfter.TotalSeconds:0.0} s, all ended after "
                + $"{clock.Elapsed.TotalSeconds:0.0} s ({string.Join(", ", outcomes.Select(o => $"{o.Value:N0} {o.Key}"))})");

            var sum = 0m;
            foreach (var id in ids)
                sum += (await client.GetFromJsonAsync<JsonElement>($"/accounts/{id}", cancellationToken)).GetProperty("balance").GetDecimal();
            var mismatch = Math.Abs(sum - (accounts * opening + count));
            context.Info(label, $"sum of balances {sum:N2}, expected {accounts * opening + count:N2}");
            return (transferRate, depositRate, (double)mismatch);
        }
        finally
        {
            if (drop is not null) await drop();
        }
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string path, string json, CancellationToken cancellationToken) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken);

    private static async Task Expect(Task<HttpResponseMessage> request, HttpStatusCode status)
    {
        using var response = await request;
        if (response.StatusCode != status)
            throw new InvalidOperationException($"Expected {(int)status} but got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
