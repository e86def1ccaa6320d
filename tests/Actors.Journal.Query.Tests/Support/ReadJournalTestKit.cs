using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Xunit.Abstractions;

namespace Actors.Journal.Query.Tests.Support;

/// <summary>
/// A real ActorSystem with the stock Akka.Persistence.Sql journal on <see cref="Database"/>, the fast-sql read journal
/// over the same tables (poll-interval 60 s, longer than any spec: a live query that sees a write was woken), and the
/// stock read journal for comparisons.
/// </summary>
public abstract class ReadJournalTestKit(TestDatabase database, ITestOutputHelper output, string extraConfig = "")
    : Akka.TestKit.Xunit2.TestKit(SystemConfig(database, extraConfig), output: output)
{
    protected static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(60);

    protected TestDatabase Database { get; } = database;

    protected ITestOutputHelper Out { get; } = output;

    protected IMaterializer Materializer => Sys.Materializer();

    private FastSqlReadJournal? _journal;

    protected FastSqlReadJournal Journal =>
        _journal ??= PersistenceQuery.Get(Sys).ReadJournalFor<FastSqlReadJournal>(FastSqlReadJournal.Identifier);

    protected SqlReadJournal StockJournal => PersistenceQuery.Get(Sys).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);

    public static Config SystemConfig(TestDatabase database, string extraConfig) =>
        ConfigurationFactory.ParseString(
            $$""""
            akka.loglevel = WARNING
            akka.persistence.journal.plugin = "akka.persistence.journal.sql"
            akka.persistence.journal.sql {
              connection-string = """{{database.ConnectionString}}"""
              provider-name = "{{database.Linq2DbProvider}}"
              auto-initialize = on
            }
            akka.persistence.query.journal.sql {
              connection-string = """{{database.ConnectionString}}"""
              provider-name = "{{database.Linq2DbProvider}}"
            }
            akka.persistence.query.journal.fast-sql {
              write-plugin = "akka.persistence.journal.sql"
              poll-interval = {{(int)PollInterval.TotalSeconds}}s
              page-size = 500
            }
            {{extraConfig}}
            """")
            .WithFallback(FastSqlReadJournal.ReferenceConfiguration)
            .WithFallback(SqlPersistence.DefaultConfiguration);

    private readonly Dictionary<string, IActorRef> _actors = new(StringComparer.Ordinal);

    protected IActorRef ActorFor(string persistenceId)
    {
        if (!_actors.TryGetValue(persistenceId, out var actor))
            _actors[persistenceId] = actor = Sys.ActorOf(TestPersistentActor.Props(persistenceId));
        return actor;
    }

    /// <summary>Persists through the stock journal; returns once it is committed.</summary>
    protected Task<Written> WriteAsync(string persistenceId, string text, params string[] tags) =>
        ActorFor(persistenceId).Ask<Written>(new Write(text, tags), TimeSpan.FromSeconds(20));

    /// <summary>Starts the journal (it creates the tables) by recovering an actor that has no events.</summary>
    protected async Task StartJournalAsync() =>
        await Sys.ActorOf(TestPersistentActor.Props("journal-starter")).Ask<Pong>(new Ping(), TimeSpan.FromSeconds(30));


    protected async Task<IReadOnlyList<EventEnvelope>> AllOf(Source<EventEnvelope, NotUsed> source, TimeSpan? timeout = null) =>
        await source.RunWith(Sink.Seq<EventEnvelope>(), Materializer).WaitAsync(timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>Runs a live query into a probe; the stream ends with the test's system.</summary>
    protected Akka.TestKit.TestProbe Follow<T>(Source<T, NotUsed> source)
    {
        var probe = CreateTestProbe();
        source.RunWith(Sink.ActorRef<T>(probe.Ref, "completed", ex => new Status.Failure(ex)), Materializer);
        return probe;
    }

    protected static string TextOf(EventEnvelope envelope) => ((Evt)envelope.Event).Text;

    protected static long OrderingOf(EventEnvelope envelope) => ((Sequence)envelope.Offset).Value;

    protected static Stopwatch StartClock() => Stopwatch.StartNew();
}

