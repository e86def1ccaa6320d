using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Postgres;
using Actors.Persistence.Tck.Postgres;

namespace Actors.Persistence.Query.Tests;

/// <summary>
/// The read journal spec over a real <see cref="PostgresJournal"/>, each test in a fresh schema of the shared query-test
/// database. Never skipped: without PostgreSQL it fails.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresReadJournalTests(PostgresServer server) : ReadJournalSpec
{
    private readonly string _schema = $"q_{Guid.NewGuid():N}";

    protected override async Task<IJournal> CreateJournalAsync()
    {
        var connectionString = await server.GetOrCreateDatabaseAsync(PostgresCollection.Database);
        var journal = new PostgresJournal(new PostgresJournalOptions(connectionString) { Schema = _schema }, Serializer);
        await journal.InitializeAsync();
        return journal;
    }

    protected override ReadJournal CreateReadJournal(IJournal journal, ReadJournalOptions options) =>
        new PostgresReadJournal((PostgresJournal)journal, Serializer, options);

    /// <summary>
    /// <see cref="ReadJournalSpec.Writes_wake_live_queries_without_waiting_for_the_poll"/> could pass on notifications
    /// alone here: without them, the attached journal's EventsWritten must do it.
    /// </summary>
    [Fact]
    public async Task Writes_of_the_attached_journal_wake_live_queries_without_notifications()
    {
        var queries = OpenReadJournal(DefaultOptions with { PollInterval = TimeSpan.FromSeconds(30), ListenForNotifications = false });
        await using var probe = new StreamProbe<EventEnvelope>(ct => queries.EventsByTag("t", 0, ct));
        await using var all = new StreamProbe<EventEnvelope>(ct => queries.AllEvents(0, ct));
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
        for (var i = 1; i <= 3; i++)
        {
            await WriteAsync("a", i, 1, "t");
            Assert.Equal(i, (await probe.NextAsync(TimeSpan.FromSeconds(2))).SequenceNr);
            Assert.Equal(i, (await all.NextAsync(TimeSpan.FromSeconds(2))).SequenceNr);
        }
        Assert.Equal(0, ((PostgresReadJournal)queries).ListenerConnects);
    }
}
