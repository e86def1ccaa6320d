using Actors.Journal.Sqlite;
using Akka.Actor;
using Akka.Event;
using Bank.ReadModels;
using Bank.ReadModels.Projections;

namespace Bank.Host.Hosting;

/// <summary>
/// The query side of the host: the "bank-accounts" projection over the read journal, which keeps the read model in
/// the journal's PostgreSQL database, or on SQLite in a file of its own beside the journal's (its own write lock), and
/// the queries on it. Its tables are created with the host by <see cref="BankReadSideService"/>; the projections run on
/// one node of the cluster, started and stopped by the singleton <see cref="ProjectionRunner"/>.
/// </summary>
public sealed class BankReadSide : IAsyncDisposable
{
    /// <summary>How often a node that does not run the projection looks at the stored offset for read-your-writes.</summary>
    private static readonly TimeSpan StoredOffsetPollInterval = TimeSpan.FromMilliseconds(25);

    /// <summary>How often the read model's own file is looked at for a checkpoint.</summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(100);

    private readonly ProjectionDatabase _database;
    private readonly SqliteCheckpointer? _checkpointer;
    private readonly TaskCompletionSource _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BankReadSide(ActorSystem system, BankReadJournal readJournal, BankHocon hocon, BankReadModelSettings settings, JournalPositions positions)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(hocon);
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        Positions = positions;
        (_database, _checkpointer) = hocon.Journal == JournalKind.Sqlite
            ? SqliteDatabase(hocon)
            : (ProjectionDatabase.Postgres(hocon.ConnectionString), null);
        // The projection measures its lag against the journal's timestamps, which are system time.
        Accounts = BankReadModel.CreateProjection(system, readJournal, _database, settings.Projection,
            Logging.GetLogger(system, "projection/" + BankReadModel.ProjectionName), TimeProvider.System);
        Projections = new ProjectionRegistry([Accounts]);
        Queries = new BankReadModelQueries(_database);
    }

    public BankReadModelSettings Settings { get; }

    /// <summary>The read model's database (for tests of its set-up).</summary>
    internal ProjectionDatabase Database => _database;

    /// <summary>The checkpointer of the read model's own SQLite file; null in the journal's file or on PostgreSQL.</summary>
    internal SqliteCheckpointer? WalCheckpointer => _checkpointer;

    /// <summary>Where events are in the journal: the highest offset, for read-your-writes.</summary>
    public JournalPositions Positions { get; }

    /// <summary>The "bank-accounts" projection: account_summary, account_transaction, bank_totals.</summary>
    public Projection Accounts { get; }

    /// <summary>Every projection of the host, by name.</summary>
    public ProjectionRegistry Projections { get; }

    public BankReadModelQueries Queries { get; }

    /// <summary>Completes once the read model's tables exist (see <see cref="BankReadSideService"/>): the projections may start.</summary>
    public Task Initialized => _initialized.Task;

    internal void MarkInitialized() => _initialized.TrySetResult();

    internal void MarkInitializationFailed(Exception cause) => _initialized.TrySetException(cause);

    /// <summary>
    /// Read-your-writes: true once the read model holds every account event up to <paramref name="minOffset"/> (an offset
    /// from a command's response), false when it has not got there within <see cref="BankReadModelSettings.ReadYourWritesTimeout"/>.
    /// The node that runs the projection is told by it; any other node watches the offset stored with the read model.
    /// </summary>
    public Task<bool> WaitForOffsetAsync(long minOffset, CancellationToken cancellationToken) => Accounts.IsRunning
        ? Accounts.WaitForOffsetAsync(minOffset, Settings.ReadYourWritesTimeout, cancellationToken)
        : Accounts.WaitForStoredOffsetAsync(minOffset, Settings.ReadYourWritesTimeout, StoredOffsetPollInterval, cancellationToken);

    /// <summary>True when the read model is known to hold <paramref name="minOffset"/> without asking the database.</summary>
    public bool HasOffset(long minOffset) => Accounts.IsRunning && Accounts.Offset >= minOffset && !Accounts.PendingGaps.Contains(minOffset);

    /// <summary>Stops the projections, then closes the read model's database.</summary>
    public async ValueTask DisposeAsync()
    {
        await Projections.DisposeAsync().ConfigureAwait(false);
        if (_checkpointer is not null) await _checkpointer.DisposeAsync().ConfigureAwait(false);
        await _database.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The read model on SQLite. In a file of its own, its WAL is checkpointed from a connection of its own, as the
    /// journal's is: with SQLite's automatic checkpoint the commit that crossed 10,000 WAL pages copied them and fsynced
    /// the file while the projection waited, which was a good part of the lag's tail at 10,000 deposits/s. Its commits keep
    /// an automatic checkpoint four times further out, only as a safety net.
    /// </summary>
    private static (ProjectionDatabase, SqliteCheckpointer?) SqliteDatabase(BankHocon hocon)
    {
        const int restartPages = SqliteProjectionDatabase.DefaultWalAutoCheckpoint;
        var readModel = hocon.ReadModelSqliteConnectionString;
        // In the journal's file the journal's checkpointer (or SQLite's, inside the commits) takes care of the WAL.
        var ownFile = SqliteProjectionDatabase.IsFileOfItsOwn(readModel, hocon.ConnectionString);
        var database = ProjectionDatabase.Sqlite(readModel, journalConnectionString: hocon.ConnectionString,
            walAutoCheckpoint: ownFile ? 4 * restartPages : restartPages);
        return (database, ownFile ? SqliteCheckpointer.Start(readModel, CheckpointInterval, restartPages) : null);
    }
}
