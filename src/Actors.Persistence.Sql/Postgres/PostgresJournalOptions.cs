namespace Actors.Persistence.Sql.Postgres;

/// <summary>Settings of <see cref="PostgresJournal"/> and <see cref="PostgresSnapshotStore"/>.</summary>
/// <param name="ConnectionString">An Npgsql connection string.</param>
public sealed record PostgresJournalOptions(string ConnectionString)
{
    /// <summary>The schema holding the tables; created (with the tables) on first use when AutoInitialize is on.</summary>
    public string Schema { get; init; } = "public";

    /// <summary>Create schema and tables (idempotent) on first use. Off: run Scripts/postgres.sql yourself or call InitializeAsync.</summary>
    public bool AutoInitialize { get; init; } = true;

    /// <summary>At most this many events per write transaction (a single atomic write larger than this still goes in one).</summary>
    public int MaxBatchSize { get; init; } = 1000;

    /// <summary>At most this many atomic writes may wait or be in flight; more fail at once with <see cref="JournalBufferFullException"/>.</summary>
    public int MaxBufferedWrites { get; init; } = 20000;

    /// <summary>Batch transactions in flight at once. Each persistence id always uses the same one, so its writes stay in order.</summary>
    public int WriteParallelism { get; init; } = 2;

    /// <summary>
    /// Batches of at least this many events are written by binary COPY (journal and tag rows), smaller ones by one
    /// INSERT from arrays (fewer round trips). 1 = always COPY; int.MaxValue = never.
    /// </summary>
    public int CopyThreshold { get; init; } = 32;

    /// <summary>Stored with events whose <c>PersistentRepr.WriterId</c> is empty.</summary>
    public string WriterId { get; init; } = Guid.NewGuid().ToString();

    /// <summary>Rows per query when replaying.</summary>
    public int ReplayPageSize { get; init; } = 1000;

    /// <summary>How long DisposeAsync lets queued writes finish before it cancels and fails the rest.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ConnectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(Schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBufferedWrites, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(WriteParallelism, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(CopyThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ReplayPageSize, 1);
        ArgumentException.ThrowIfNullOrEmpty(WriterId);
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownTimeout, TimeSpan.Zero);
    }
}
