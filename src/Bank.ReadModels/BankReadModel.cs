using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Bank.ReadModels.Projections;

namespace Bank.ReadModels;

/// <summary>The bank's read model: the "bank-accounts" projection and the queries on its tables.</summary>
public static class BankReadModel
{
    public const string ProjectionName = "bank-accounts";

    /// <summary>The tag every account event carries (the account actor persists <c>new Tagged(event, ["account"])</c>).</summary>
    public const string AccountTag = "account";

    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>
    /// The projection that keeps account_summary, account_transaction and bank_totals (by currency) from the events
    /// tagged <see cref="AccountTag"/>. <paramref name="database"/> must be the journal's database. A database holding an
    /// older shape of these tables is rebuilt from offset 0. Every event of an account's persistence id must be an
    /// <see cref="Bank.Domain.AccountEvent"/> tagged <see cref="AccountTag"/> (the per-account hole check relies on it).
    /// </summary>
    /// <param name="system">Materializes the projection's stream (and gives the default logger).</param>
    /// <param name="readJournal">Akka.Persistence.Sql's SqlReadJournal (any journal with Sequence offsets that are its table's ordering).</param>
    public static Projection CreateProjection<TJournal>(
        ActorSystem system,
        TJournal readJournal,
        ProjectionDatabase database,
        ProjectionSettings? settings = null,
        ILoggingAdapter? log = null,
        TimeProvider? time = null)
        where TJournal : IEventsByTagQuery, ICurrentEventsByPersistenceIdQuery
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(readJournal);
        ArgumentNullException.ThrowIfNull(database);
        log ??= Logging.GetLogger(system, "projection/" + ProjectionName);
        return new Projection(ProjectionName, system, ProjectionSource.EventsByTag(readJournal, AccountTag),
            new BankAccountsHandler(database, ProjectionName, log), database, settings, log, time);
    }
}
