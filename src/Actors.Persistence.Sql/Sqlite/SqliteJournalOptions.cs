namespace Actors.Persistence.Sql.Sqlite;

/// <summary>Settings of <see cref="SqliteJournal"/> and <see cref="SqliteSnapshotStore"/>.</summary>
/// <param name="ConnectionString">E.g. <c>Data Source=./data/bank.db</c>. The file's directory is created if missing.</param>
public sealed record SqliteJournalOptions(string ConnectionString)
{
    /// <summary>Create the schema (idempotent) on first use. Off: run Scripts/sqlite.sql yourself or call InitializeAsync.</summary>
    public bool AutoInitialize { get; init; } = true;

    public SqliteSynchronous Synchronous { get; init; } = SqliteSynchronous.Full;

    /// <summary>At most this many events per write transaction (a single atomic write larger than this still goes in one).</summary>
    public int MaxBatchSize { get; init; } = 1000;

    /// <summary>At most this many atomic writes may wait or be in flight; more fail at once with <see cref="JournalBufferFullException"/>.</summary>
    public int MaxBufferedWrites { get; init; } = 20000;

    /// <summary>Stored with events whose <c>PersistentRepr.WriterId</c> is empty.</summary>
    public string WriterId { get; init; } = Guid.NewGuid().ToString();

    /// <summary>Rows per query when replaying.</summary>
    public int ReplayPageSize { get; init; } = 1000;

    /// <summary>How long a statement waits for another connection's write lock (PRAGMA busy_timeout).</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long DisposeAsync lets queued writes finish before it cancels and fails the rest.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ConnectionString);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBufferedWrites, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ReplayPageSize, 1);
        ArgumentException.ThrowIfNullOrEmpty(WriterId);
        ArgumentOutOfRangeException.ThrowIfLessThan(BusyTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownTimeout, TimeSpan.Zero);
        if (!Enum.IsDefined(Synchronous)) throw new ArgumentOutOfRangeException(nameof(Synchronous), Synchronous, "Unknown synchronous mode.");
    }
}
