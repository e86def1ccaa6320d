using Akka.Actor;
using Akka.Event;
using Bank.ReadModels;
using Bank.ReadModels.Projections;

namespace Bank.Host.Hosting;

/// <summary>
/// The query side of the host: the "bank-accounts" projection over the read journal, which keeps the read model in
/// the journal's PostgreSQL database, or on SQLite in a file of its own beside the journal's (its own write lock), and
/// the queries on it. Started and stopped with the host by <see cref="BankReadSideService"/>.
/// </summary>
public sealed class BankReadSide : IAsyncDisposable
{
    private readonly ProjectionDatabase _database;

    public BankReadSide(ActorSystem system, BankReadJournal readJournal, BankHocon hocon, BankReadModelSettings settings, JournalPositions positions)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(hocon);
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        Positions = positions;
        _database = hocon.Journal == JournalKind.Sqlite
            ? ProjectionDatabase.Sqlite(hocon.ReadModelSqliteConnectionString, journalConnectionString: hocon.ConnectionString)
            : ProjectionDatabase.Postgres(hocon.ConnectionString);
        // The projection measures its lag against the journal's timestamps, which are system time.
        Accounts = BankReadModel.CreateProjection(system, readJournal, _database, settings.Projection,
            Logging.GetLogger(system, "projection/" + BankReadModel.ProjectionName), TimeProvider.System);
        Projections = new ProjectionRegistry([Accounts]);
        Queries = new BankReadModelQueries(_database);
    }

    public BankReadModelSettings Settings { get; }

    /// <summary>Where events are in the journal: the highest offset, for read-your-writes.</summary>
    public JournalPositions Positions { get; }

    /// <summary>The "bank-accounts" projection: account_summary, account_transaction, bank_totals.</summary>
    public Projection Accounts { get; }

    /// <summary>Every projection of the host, by name.</summary>
    public ProjectionRegistry Projections { get; }

    public BankReadModelQueries Queries { get; }

    /// <summary>
    /// Read-your-writes: true once the read model holds every account event up to <paramref name="minOffset"/> (an offset
    /// from a command's response), false when it has not got there within <see cref="BankReadModelSettings.ReadYourWritesTimeout"/>.
    /// </summary>
    public Task<bool> WaitForOffsetAsync(long minOffset, CancellationToken cancellationToken) =>
        Accounts.WaitForOffsetAsync(minOffset, Settings.ReadYourWritesTimeout, cancellationToken);

    /// <summary>Stops the projections, then closes the read model's database.</summary>
    public async ValueTask DisposeAsync()
    {
        await Projections.DisposeAsync().ConfigureAwait(false);
        await _database.DisposeAsync().ConfigureAwait(false);
    }
}
