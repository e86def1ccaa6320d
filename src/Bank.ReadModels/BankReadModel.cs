using Actors.Core.Logging;
using Actors.Persistence.Query;
using Actors.Persistence.Query.Projections;

namespace Bank.ReadModels;

/// <summary>The bank's read model: the "bank-accounts" projection and the queries on its tables.</summary>
public static class BankReadModel
{
    public const string ProjectionName = "bank-accounts";

    /// <summary>The tag every account event carries (Bank.Actors' BankEventTypes.AccountTag).</summary>
    public const string AccountTag = "account";

    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>
    /// The projection that keeps account_summary, account_transaction and bank_totals (by currency) from the events
    /// tagged <see cref="AccountTag"/>. A database holding an older shape of these tables is rebuilt from offset 0. <paramref name="database"/> should be the journal's database.
    /// </summary>
    public static Projection CreateProjection(
        IReadJournal readJournal,
        ProjectionDatabase database,
        ProjectionSettings? settings = null,
        ILogSink? log = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(readJournal);
        ArgumentNullException.ThrowIfNull(database);
        return new Projection(ProjectionName, ProjectionSource.EventsByTag(readJournal, AccountTag),
            new BankAccountsHandler(database, ProjectionName, log), database, settings, log, time);
    }
}
