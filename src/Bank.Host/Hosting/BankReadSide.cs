using Actors.Core.Logging;
using Actors.Hosting;
using Actors.Persistence.Query;
using Actors.Persistence.Query.Projections;
using Bank.ReadModels;

namespace Bank.Host.Hosting;

/// <summary>
/// The query side of the host: the read journal, the "bank-accounts" projection that keeps the read model, and the
/// queries on it. Started and stopped with the host by <see cref="BankReadSideService"/>.
/// </summary>
public sealed class BankReadSide : IAsyncDisposable
{
    private readonly QueryStores _stores;
    private int _disposed;

    /// <param name="log">Where the projection logs (the actor system's sink).</param>
    /// <remarks>
    /// The projection runs on the system clock, not the host's TimeProvider: it measures its lag against the journal's
    /// timestamps, which are system time.
    /// </remarks>
    public BankReadSide(QueryStores stores, BankReadModelSettings settings, ILogSink? log = null)
    {
        ArgumentNullException.ThrowIfNull(stores);
        ArgumentNullException.ThrowIfNull(settings);
        _stores = stores;
        Settings = settings;
        Accounts = BankReadModel.CreateProjection(stores.ReadJournal, stores.ProjectionDatabase, settings.Projection, log, TimeProvider.System);
        Projections = new ProjectionRunner([Accounts]);
        Queries = new BankReadModelQueries(stores.ProjectionDatabase);
    }

    public BankReadModelSettings Settings { get; }

    public IReadJournal ReadJournal => _stores.ReadJournal;

    /// <summary>The "bank-accounts" projection: account_summary, account_transaction, bank_totals.</summary>
    public Projection Accounts { get; }

    /// <summary>Every projection of the host, by name.</summary>
    public ProjectionRunner Projections { get; }

    public BankReadModelQueries Queries { get; }

    /// <summary>
    /// Read-your-writes: true once the read model holds every account event up to <paramref name="minOffset"/> (an offset
    /// from a command's response), false when it has not got there within <see cref="BankReadModelSettings.ReadYourWritesTimeout"/>.
    /// </summary>
    public Task<bool> WaitForOffsetAsync(long minOffset, CancellationToken cancellationToken) =>
        Accounts.WaitForOffsetAsync(minOffset, Settings.ReadYourWritesTimeout, cancellationToken);

    /// <summary>Stops the projections, then closes the read journal (its live queries end) and the databases. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await Projections.DisposeAsync().ConfigureAwait(false);
        await _stores.DisposeAsync().ConfigureAwait(false);
    }
}
