using Actors.Journal.Query.Tests.Support;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Bank.Testing;
using Xunit.Abstractions;

namespace Actors.Journal.Query.Tests;

/// <summary>SQLite: a live query that its stream cancelled stops reading.</summary>
public sealed class SqliteLifecycleSpecs : ReadJournalTestKit
{
    private readonly SqliteTestDatabase _database;

    public SqliteLifecycleSpecs(ITestOutputHelper output) : this(new SqliteTestDatabase(), output)
    {
    }

    private SqliteLifecycleSpecs(SqliteTestDatabase database, ITestOutputHelper output) : base(database, output) => _database = database;

    [Fact]
    public async Task A_cancelled_live_query_stops_reading_the_database()
    {
        await WriteAsync("a", "a1");
        var probe = CreateTestProbe();
        var killSwitch = Journal.AllEvents(Offset.NoOffset())
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .To(Sink.ActorRef<EventEnvelope>(probe.Ref, "completed", ex => new Akka.Actor.Status.Failure(ex)))
            .Run(Materializer);
        probe.ExpectMsg<EventEnvelope>();

        killSwitch.Shutdown();
        probe.ExpectMsg("completed");
        // A read already under way when the stream was cancelled may still finish: wait until the count stops moving.
        await AwaitConditionAsync(async () =>
        {
            var pages = Journal.PagesRead;
            await Task.Delay(200);
            return Journal.PagesRead == pages;
        }, TimeSpan.FromSeconds(10));
        // Woken after the cancellation, the query must not read again.
        for (var i = 0; i < 3; i++)
        {
            var before = Journal.PagesRead;
            Journal.NotifyWritten();
            await Task.Delay(100); // nothing to wait for: this asserts that nothing happens
            Assert.Equal(before, Journal.PagesRead);
        }
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _database.Dispose();
    }
}

/// <summary>PostgreSQL with LISTEN off: the writer's JournalWritten on the EventStream wakes live queries.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresInProcessWakeSpecs(PostgresServer server, ITestOutputHelper output)
    : ReadJournalTestKit(PostgresTestDatabase.Create(server), output, "akka.persistence.query.journal.fast-sql.listen-for-notifications = off")
{
    [Fact]
    public async Task Without_notify_a_live_query_is_woken_by_JournalWritten_on_the_event_stream_within_milliseconds()
    {
        await WriteAsync("a", "a1", "t");
        var probe = Follow(Journal.EventsByTag("t", Offset.NoOffset()));
        Assert.Equal("a1", TextOf(probe.ExpectMsg<EventEnvelope>()));

        await WriteAsync("b", "b1", "t");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(700)); // no NOTIFY listener: nothing wakes it before the poll (a minute)
        Sys.EventStream.Publish(new JournalWritten(0));
        Assert.Equal("b1", TextOf(probe.ExpectMsg<EventEnvelope>(TimeSpan.FromSeconds(3))));
    }
}
