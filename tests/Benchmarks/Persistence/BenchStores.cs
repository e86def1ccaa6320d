using Actors.Persistence.InMemory;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Snapshots;
using Actors.Persistence.Sql.Postgres;
using Actors.Persistence.Sql.Sqlite;
using Bank.Actors;
using Microsoft.Data.Sqlite;

namespace Actors.Benchmarks.Persistence;

public enum StoreKind { InMemory, Sqlite, Postgres }

/// <summary>
/// A journal and snapshot store for one benchmark run, on fresh storage: a new SQLite file in a temp directory
/// (synchronous=FULL, WAL: the journal's defaults) or a new PostgreSQL database. Disposing removes it again.
/// </summary>
internal sealed class BenchStores : IAsyncDisposable
{
    private readonly Func<ValueTask> _cleanup;

    private BenchStores(StoreKind kind, IJournal journal, ISnapshotStore snapshots, string description, Func<ValueTask> cleanup)
    {
        Kind = kind;
        Journal = journal;
        Snapshots = snapshots;
        Description = description;
        _cleanup = cleanup;
    }

    public StoreKind Kind { get; }
    public IJournal Journal { get; }
    public ISnapshotStore Snapshots { get; }
    public string Description { get; }

    /// <summary>Write transactions the SQL journal committed so far (0 for the in-memory journal).</summary>
    public long TransactionsCommitted => Journal switch
    {
        SqliteJournal sqlite => sqlite.TransactionsCommitted,
        PostgresJournal postgres => postgres.TransactionsCommitted,
        _ => 0,
    };

    /// <summary>The bank's serializer: JSON with the stable manifests of <see cref="BankEventTypes"/>.</summary>
    public static IEventSerializer Serializer() => new JsonEventSerializer(BankEventTypes.Register(new EventTypeRegistry()));

    /// <summary>Fresh stores; <paramref name="tuning"/> overrides journal options (batch size, lanes, COPY threshold) for A/B runs.</summary>
    public static async Task<BenchStores> CreateAsync(StoreKind kind, PostgresInstance? postgres, CancellationToken cancellationToken, StoreTuning? tuning = null)
    {
        tuning ??= StoreTuning.Defaults;
        var serializer = Serializer();
        switch (kind)
        {
            case StoreKind.InMemory:
                return new BenchStores(kind, new InMemoryJournal(serializer), new InMemorySnapshotStore(serializer), "in-memory journal (JSON)",
                    () => ValueTask.CompletedTask);

            case StoreKind.Sqlite:
            {
                var directory = Path.Combine(Path.GetTempPath(), $"actors-bench-{Guid.NewGuid():N}");
                Directory.CreateDirectory(directory);
                var options = tuning.Apply(new SqliteJournalOptions($"Data Source={Path.Combine(directory, "journal.db")}"));
                var journal = new SqliteJournal(options, serializer);
                var snapshots = new SqliteSnapshotStore(options, serializer);
                await journal.InitializeAsync(cancellationToken);
                await snapshots.InitializeAsync(cancellationToken);
                return new BenchStores(kind, journal, snapshots,
                    $"SQLite WAL synchronous={options.Synchronous.ToString().ToUpperInvariant()}, max batch {options.MaxBatchSize} events, in {directory}",
                    async () =>
                    {
                        await journal.DisposeAsync();
                        await snapshots.DisposeAsync();
                        SqliteConnection.ClearAllPools();
                        TryDelete(directory);
                    });
            }

            case StoreKind.Postgres:
            {
                if (postgres is null) throw new ArgumentNullException(nameof(postgres), "PostgreSQL stores need a server.");
                var (connectionString, drop) = await postgres.CreateDatabaseAsync(cancellationToken);
                var options = tuning.Apply(new PostgresJournalOptions(connectionString));
                var journal = new PostgresJournal(options, serializer);
                var snapshots = new PostgresSnapshotStore(options, serializer);
                await journal.InitializeAsync(cancellationToken);
                await snapshots.InitializeAsync(cancellationToken);
                return new BenchStores(kind, journal, snapshots,
                    $"PostgreSQL {postgres.Description}, max batch {options.MaxBatchSize} events, {options.WriteParallelism} write lanes, COPY from {options.CopyThreshold} events",
                    async () =>
                    {
                        await journal.DisposeAsync();
                        await snapshots.DisposeAsync();
                        await drop();
                    });
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    public ValueTask DisposeAsync() => _cleanup();

    internal static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp directory must not fail the benchmark.
        }
    }
}

/// <summary>Journal options a benchmark may override (null: the journal's default).</summary>
internal sealed record StoreTuning(int? MaxBatchSize = null, int? WriteParallelism = null, int? CopyThreshold = null)
{
    public static StoreTuning Defaults { get; } = new();

    public SqliteJournalOptions Apply(SqliteJournalOptions options) =>
        options with { MaxBatchSize = MaxBatchSize ?? options.MaxBatchSize };

    public PostgresJournalOptions Apply(PostgresJournalOptions options) => options with
    {
        MaxBatchSize = MaxBatchSize ?? options.MaxBatchSize,
        WriteParallelism = WriteParallelism ?? options.WriteParallelism,
        CopyThreshold = CopyThreshold ?? options.CopyThreshold,
    };
}
