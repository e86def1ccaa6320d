using System.CommandLine;
using System.Diagnostics;
using Actors.Benchmarks.Shared;
using Actors.Core;
using Bank.Actors;
using Bank.Domain;

namespace Actors.Benchmarks.Persistence;

/// <summary>
/// Commands per second through the account region: N accounts are opened (untimed), then M deposits per account are
/// sent round-robin, all at once (Tell never waits: they are all in flight as fast as the region takes them), and the
/// clock stops when the last reply has arrived. Each account actor decides, persists MoneyDeposited (the journal
/// group-commits the writes of all actors) and replies once it is durable. Every run starts on fresh storage; after
/// it, every account's balance and version are checked.
/// </summary>
public sealed class ThroughputBenchmark(StoreKind kind) : AsyncBenchmark
{
    private readonly BenchOption<int> _accounts = new("--accounts", 1_000, "How many accounts.");
    private readonly BenchOption<int> _commands = new("--commands", 100, "Deposits per account.");
    private readonly BenchOption<int> _snapshotEvery = new("--snapshot-every", new AccountSettings().SnapshotEvery,
        "The account actor's snapshot interval (the bank's default; 0 = never).");

    public override string Name => kind switch
    {
        StoreKind.InMemory => "in-memory",
        StoreKind.Sqlite => "sqlite",
        _ => "postgres",
    };

    public override string Description => kind switch
    {
        StoreKind.InMemory => "1,000 accounts x 100 deposits round-robin, in-memory journal; cmd/s.",
        StoreKind.Sqlite => "1,000 accounts x 100 deposits round-robin, SQLite journal (WAL, synchronous=FULL, group commit); cmd/s.",
        _ => "1,000 accounts x 100 deposits round-robin, PostgreSQL journal (fsync on, group commit); cmd/s.",
    };

    private readonly BenchOption<int> _maxBatch = new("--max-batch", 0, "Journal MaxBatchSize (0 = the journal's default).");
    private readonly BenchOption<int> _lanes = new("--write-parallelism", 0, "PostgreSQL write lanes (0 = the journal's default).");
    private readonly BenchOption<int> _copyThreshold = new("--copy-threshold", 0, "PostgreSQL: batches of at least this many events go by COPY (0 = default).");

    public override IEnumerable<Option> Options =>
        kind == StoreKind.Postgres ? [_accounts, _commands, _snapshotEvery, _maxBatch, _lanes, _copyThreshold]
        : kind == StoreKind.Sqlite ? [_accounts, _commands, _snapshotEvery, _maxBatch]
        : [_accounts, _commands, _snapshotEvery];

    private Metric Metric => kind switch
    {
        StoreKind.InMemory => new Metric("cmd/s", Better.Higher, Reference: 120e3, PersistenceSuite.Akka, Target: 300e3),
        StoreKind.Sqlite => new Metric("cmd/s", Better.Higher, Reference: 15.6e3, PersistenceSuite.Akka + " batching", Target: 50e3),
        _ => new Metric("cmd/s", Better.Higher, Reference: null, "-", Target: 30e3),
    };

    public override async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var accounts = context.Get(_accounts);
        var commands = context.Get(_commands);
        var settings = new AccountSettings { SnapshotEvery = context.Get(_snapshotEvery) };
        var metric = Metric;
        static int? Set(int value) => value > 0 ? value : null;
        var tuning = new StoreTuning(Set(context.Get(_maxBatch)), Set(context.Get(_lanes)), Set(context.Get(_copyThreshold)));
        PostgresInstance? postgres = null;
        if (kind == StoreKind.Postgres)
            postgres = await PostgresInstance.StartAsync(text => context.Progress.Info($"{context.Suite} {Name}", text), cancellationToken);
        try
        {
            var batches = new List<double>();
            string? stores = null;
            // The in-memory run is CPU-bound and short (about half a second): after one warm-up the command path still
            // runs partly unoptimized (tiered JIT), and the runs climbed from 150 k to 300 k cmd/s one after another.
            // Five warm-ups make it measure the code a node that has been up a while runs. The SQL runs wait on the disk.
            var samples = await Measure.RepeatAsync(context, Name, metric, async ct =>
            {
                var (rate, description, eventsPerTransaction) = await RunOnceAsync(postgres, tuning, accounts, commands, settings, context, ct);
                stores = description;
                if (eventsPerTransaction > 0) batches.Add(eventsPerTransaction);
                return rate;
            }, cancellationToken, minimumWarmups: kind == StoreKind.InMemory ? 5 : 0);
            var note = $"{accounts:N0} accounts x {commands:N0} deposits, snapshot every {settings.SnapshotEvery}; {stores}";
            if (batches.Count > 0) note += $"; {Stats.Median(batches):0} events per write transaction (median of runs)";
            return [new BenchmarkResult(context.Suite, Name, metric, samples, note)];
        }
        finally
        {
            if (postgres is not null) await postgres.DisposeAsync();
        }
    }

    private async Task<(double Rate, string Stores, double EventsPerTransaction)> RunOnceAsync(
        PostgresInstance? postgres, StoreTuning tuning, int accounts, int commands, AccountSettings settings, BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var stores = await BenchStores.CreateAsync(kind, postgres, cancellationToken, tuning);
        await using var node = BankNode.Start(stores, settings);
        var now = DateTimeOffset.UtcNow;

        var opened = new ReplyCounter(accounts);
        for (var a = 0; a < accounts; a++)
            node.Region.Tell(new OpenAccount(AccountData.Id(a), AccountData.Owner, AccountData.Currency, 0m, Guid.NewGuid(), now), opened);
        await opened.WaitAsync(TimeSpan.FromSeconds(120), cancellationToken, "opening the accounts");
        opened.EnsureAll(r => r.Accepted, "opening the accounts");

        // Built before the clock starts: the figure is about handling commands, not about making them.
        var total = accounts * commands;
        var deposits = new Deposit[total];
        for (var m = 0; m < commands; m++)
        for (var a = 0; a < accounts; a++)
            deposits[m * accounts + a] = new Deposit(AccountData.Id(a), 1m, Guid.NewGuid(), now);

        var transactionsBefore = stores.TransactionsCommitted;
        var replies = new ReplyCounter(total);
        var clock = Stopwatch.StartNew();
        foreach (var deposit in deposits) node.Region.Tell(deposit, replies);
        await replies.WaitAsync(TimeSpan.FromSeconds(180), cancellationToken, "the deposits");
        clock.Stop();
        var transactions = stores.TransactionsCommitted - transactionsBefore;
        replies.EnsureAll(r => r.Accepted, "the deposits");

        // Every account saw all its deposits, in order, exactly once.
        var checks = Enumerable.Range(0, accounts).Select(async a =>
        {
            var state = await node.Region.Ask<AccountState>(new GetAccount(AccountData.Id(a)), TimeSpan.FromSeconds(60), cancellationToken);
            return state.Balance == commands && state.Version == commands + 1;
        });
        var wrong = (await Task.WhenAll(checks)).Count(ok => !ok);
        if (wrong > 0) throw new InvalidOperationException($"{wrong} accounts do not have balance {commands} and version {commands + 1} after the run.");

        if (transactions > 0)
            context.Progress.Info($"{context.Suite} {Name}", $"  {transactions:N0} write transactions for {total:N0} deposits ({(double)total / transactions:0.0} events each, plus snapshots)");
        return (total / clock.Elapsed.TotalSeconds, stores.Description, transactions > 0 ? (double)total / transactions : 0);
    }
}
