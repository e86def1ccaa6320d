using Actors.Journal.Query;
using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams.Dsl;

namespace Bank.Host.Hosting;

/// <summary>
/// The read journal the host queries (projection, time travel, event stream), chosen by <c>bank.read-journal</c>:
/// <c>fast-sql</c> (ours, src/Actors.Journal.Query: paged, woken by writes, never past an in-flight transaction) or
/// <c>akka-sql</c> (Akka.Persistence.Sql's own). Both read the same tables.
/// </summary>
public sealed class BankReadJournal : IEventsByTagQuery, ICurrentEventsByTagQuery, ICurrentEventsByPersistenceIdQuery
{
    public const string FastSql = "fast-sql";
    public const string AkkaSql = "akka-sql";

    private readonly IEventsByTagQuery _byTag;
    private readonly ICurrentEventsByTagQuery _currentByTag;
    private readonly ICurrentEventsByPersistenceIdQuery _currentByPersistenceId;

    private BankReadJournal(string kind, IReadJournal journal)
    {
        Kind = kind;
        _byTag = (IEventsByTagQuery)journal;
        _currentByTag = (ICurrentEventsByTagQuery)journal;
        _currentByPersistenceId = (ICurrentEventsByPersistenceIdQuery)journal;
    }

    /// <summary><see cref="FastSql"/> or <see cref="AkkaSql"/>.</summary>
    public string Kind { get; }

    /// <summary>The configured read journal. Akka.Persistence.Sql's constructor blocks until the write journal is ready: call it at start-up.</summary>
    public static BankReadJournal For(ActorSystem system, BankHocon hocon)
    {
        var kind = hocon.Config.GetString("bank.read-journal", FastSql).Trim().ToLowerInvariant();
        var queries = PersistenceQuery.Get(system);
        return kind switch
        {
            FastSql => new BankReadJournal(kind, queries.ReadJournalFor<FastSqlReadJournal>(FastSqlReadJournal.Identifier)),
            AkkaSql => new BankReadJournal(kind, queries.ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier)),
            _ => throw new InvalidOperationException($"bank.read-journal (or BANK_READ_JOURNAL) is '{kind}'; it must be {FastSql} or {AkkaSql}."),
        };
    }

    public Source<EventEnvelope, NotUsed> EventsByTag(string tag, Offset offset) => _byTag.EventsByTag(tag, offset);

    public Source<EventEnvelope, NotUsed> CurrentEventsByTag(string tag, Offset offset) => _currentByTag.CurrentEventsByTag(tag, offset);

    public Source<EventEnvelope, NotUsed> CurrentEventsByPersistenceId(string persistenceId, long fromSequenceNr, long toSequenceNr) =>
        _currentByPersistenceId.CurrentEventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr);
}
