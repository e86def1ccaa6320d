using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Query;

namespace Actors.Journal.Query;

/// <summary>
/// The plugin class of <c>akka.persistence.query.journal.fast-sql</c> (the reference configuration is the fallback):
/// <c>PersistenceQuery.Get(system).ReadJournalFor&lt;FastSqlReadJournal&gt;(FastSqlReadJournal.Identifier)</c>.
/// </summary>
public sealed class FastSqlReadJournalProvider(ExtendedActorSystem system, Config config) : IReadJournalProvider
{
    private readonly Config _config = config.WithFallback(FastSqlReadJournal.DefaultConfiguration);

    public IReadJournal GetReadJournal() => new FastSqlReadJournal(system, _config);
}
