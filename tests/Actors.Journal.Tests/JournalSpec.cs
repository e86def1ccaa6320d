using Akka.Actor;
using Akka.Persistence;
using Akka.TestKit;
using Bank.Testing;
using Xunit.Abstractions;

namespace Actors.Journal.Tests;

/// <summary>
/// The journal scenarios every writer must pass, on every database: subclassed per writer (ours, Akka.Persistence.Sql's)
/// and database (SQLite, PostgreSQL). Each test gets a fresh database and actor system, and talks Akka's journal protocol.
/// </summary>
public abstract class JournalSpec(ITestOutputHelper output) : IAsyncLifetime
{
    protected abstract Writer Writer { get; }
    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    protected TestDatabase Db { get; private set; } = null!;
    protected JournalHarness Journal { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Db = await CreateDatabaseAsync();
        Journal = new JournalHarness(Db, Writer, output);
    }

    public async Task DisposeAsync()
    {
        Journal.Dispose();
        await Db.DisposeAsync();
    }

    private static string Pid() => "p-" + Guid.NewGuid().ToString("N")[..12];

    private static void AssertSequence(IEnumerable<IPersistentRepresentation> events, string persistenceId, params long[] sequenceNrs)
    {
        var list = events.ToList();
        Assert.Equal(sequenceNrs, list.Select(e => e.SequenceNr).ToArray());
        foreach (var e in list)
        {
            Assert.Equal(persistenceId, e.PersistenceId);
            Assert.Equal(new Note($"{persistenceId}-{e.SequenceNr}"), e.Payload);
            Assert.False(e.IsDeleted);
        }
    }

    [Fact]
    public async Task Written_events_are_replayed_in_order_with_their_highest_sequence_number()
    {
        var pid = Pid();
        for (var seq = 1; seq <= 5; seq++)
            Assert.All(await Journal.WriteAsync(Events.Write(pid, seq)), o => Assert.Equal(EventOutcome.Stored, o.Outcome));

        var (events, highest) = await Journal.ReplayAsync(pid);

        AssertSequence(events, pid, 1, 2, 3, 4, 5);
        Assert.Equal(5, highest);
    }

    [Fact]
    public async Task Replay_gives_only_the_requested_range_and_at_most_max_events()
    {
        var pid = Pid();
        await Journal.WriteAsync(Enumerable.Range(1, 10).Select(seq => Events.Write(pid, seq)).ToArray());

        AssertSequence((await Journal.ReplayAsync(pid, from: 3, to: 6)).Events, pid, 3, 4, 5, 6);
        AssertSequence((await Journal.ReplayAsync(pid, from: 2, max: 3)).Events, pid, 2, 3, 4);
        AssertSequence((await Journal.ReplayAsync(pid, from: 9)).Events, pid, 9, 10);
        AssertSequence((await Journal.ReplayAsync(pid, from: 11)).Events, pid);
        AssertSequence((await Journal.ReplayAsync(pid, from: 5, to: 4)).Events, pid);
        Assert.Equal(10, (await Journal.ReplayAsync(pid, from: 4, to: 5)).Highest);
    }

    [Fact]
    public async Task An_unknown_persistence_id_replays_nothing_and_its_highest_sequence_number_is_zero()
    {
        var (events, highest) = await Journal.ReplayAsync(Pid());

        Assert.Empty(events);
        Assert.Equal(0, highest);
    }

    [Fact]
    public async Task An_atomic_write_of_many_events_is_stored_whole_and_in_order()
    {
        var pid = Pid();
        var outcomes = await Journal.WriteAsync(Events.Write(pid, 1, 150), Events.Write(pid, 151, 3));

        Assert.Equal(153, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal(EventOutcome.Stored, o.Outcome));
        AssertSequence((await Journal.ReplayAsync(pid)).Events, pid, [.. Enumerable.Range(1, 153).Select(i => (long)i)]);
        // Orderings follow sequence numbers within the persistence id.
        var orderings = (await Db.RowsAsync($"SELECT ordering FROM journal WHERE persistence_id = '{pid}' ORDER BY sequence_number"))
            .Select(r => Convert.ToInt64(r[0])).ToList();
        Assert.Equal(orderings.Order(), orderings);
    }

    [Fact]
    public async Task An_atomic_write_that_collides_with_a_stored_sequence_number_stores_none_of_its_events()
    {
        var pid = Pid();
        await Journal.WriteAsync(Events.Write(pid, 1, 3));

        var outcomes = await Journal.WriteAsync(Events.Write(pid, 3, 4)); // 3..6, and 3 is taken

        Assert.All(outcomes, o => Assert.Equal(EventOutcome.Failed, o.Outcome));
        Assert.Equal(3, await Db.ScalarAsync($"SELECT count(*) FROM journal WHERE persistence_id = '{pid}'"));
        var (events, highest) = await Journal.ReplayAsync(pid);
        AssertSequence(events, pid, 1, 2, 3);
        Assert.Equal(3, highest);
    }

    [Fact]
    public async Task A_duplicate_sequence_number_is_a_write_failure_not_a_rejection()
    {
        var pid = Pid();
        await Journal.WriteAsync(Events.Write(pid, 1));

        var outcomes = await Journal.WriteAsync(Events.Write(pid, 1));

        var (outcome, cause) = Assert.Single(outcomes);
        Assert.Equal(EventOutcome.Failed, outcome);
        Assert.NotNull(cause);
        AssertSequence((await Journal.ReplayAsync(pid)).Events, pid, 1);
    }

    [Fact]
    public async Task An_unserializable_event_is_rejected_and_the_other_writes_of_the_request_are_stored()
    {
        var pid = Pid();
        var outcomes = await Journal.WriteAsync(
            Events.Write(pid, 1),
            Events.Write(Events.Event(pid, 2, new Unserializable("no"))),
            Events.Write(pid, 3));

        Assert.Equal([EventOutcome.Stored, EventOutcome.Rejected, EventOutcome.Stored], outcomes.Select(o => o.Outcome).ToArray());
        Assert.Contains("cannot be serialized", outcomes[1].Cause!.Message + outcomes[1].Cause!.InnerException?.Message);
        AssertSequence((await Journal.ReplayAsync(pid)).Events, pid, 1, 3);
    }

    [Fact]
    public async Task Deleting_up_to_a_sequence_number_hides_those_events_and_removes_the_rows_below_it()
    {
        var pid = Pid();
        await Journal.WriteAsync(Enumerable.Range(1, 5).Select(seq => Events.Write(Events.Tagged(pid, seq, "d"))).ToArray());

        await Journal.DeleteAsync(pid, 3);

        var (events, highest) = await Journal.ReplayAsync(pid);
        AssertSequence(events, pid, 4, 5);
        Assert.Equal(5, highest);
        AssertSequence((await Journal.ReplayAsync(pid, from: 2, to: 4)).Events, pid, 4);
        // As Akka.Persistence.Sql 1.5.73 does it: row 3 stays, marked deleted, with its tag rows; rows 1-2 and their tags go.
        Assert.Equal(new[] { "3:True", "4:False", "5:False" }, (await Db.RowsAsync(
                $"SELECT sequence_number, deleted FROM journal WHERE persistence_id = '{pid}' ORDER BY sequence_number"))
            .Select(r => $"{Convert.ToInt64(r[0])}:{Convert.ToBoolean(r[1])}").ToArray());
        Assert.Equal(new[] { 3L, 4L, 5L }, (await Db.RowsAsync($"SELECT sequence_nr FROM tags WHERE persistence_id = '{pid}' ORDER BY sequence_nr"))
            .Select(r => Convert.ToInt64(r[0])).ToArray());
    }

    [Fact]
    public async Task Deleting_everything_keeps_the_highest_sequence_number()
    {
        var pid = Pid();
        await Journal.WriteAsync(Enumerable.Range(1, 4).Select(seq => Events.Write(Events.Tagged(pid, seq, "gone"))).ToArray());

        await Journal.DeleteAsync(pid, long.MaxValue);

        var (events, highest) = await Journal.ReplayAsync(pid);
        Assert.Empty(events);
        Assert.Equal(4, highest);
        // As Akka.Persistence.Sql 1.5.73 does it: the highest row stays, marked deleted (with its tag rows); the others go.
        var rows = await Db.RowsAsync($"SELECT sequence_number, deleted FROM journal WHERE persistence_id = '{pid}'");
        var row = Assert.Single(rows);
        Assert.Equal(4, Convert.ToInt64(row[0]));
        Assert.True(Convert.ToBoolean(row[1]));
        Assert.Equal(4, await Db.ScalarAsync($"SELECT max(sequence_nr) FROM tags WHERE persistence_id = '{pid}'"));
        Assert.Equal(1, await Db.ScalarAsync($"SELECT count(*) FROM tags WHERE persistence_id = '{pid}'"));

        // The persistence id goes on after its highest sequence number.
        Assert.Equal(EventOutcome.Stored, (await Journal.WriteAsync(Events.Write(pid, 5)))[0].Outcome);
        AssertSequence((await Journal.ReplayAsync(pid)).Events, pid, 5);
    }

    [Fact]
    public async Task Tagged_events_get_one_tags_row_per_tag_with_the_ordering_of_their_journal_row()
    {
        var a = Pid();
        var b = Pid();
        await Journal.WriteAsync(Events.Write(Events.Tagged(a, 1, "red", "blue"), Events.Tagged(a, 2, "red")), Events.Write(a, 3));
        await Journal.WriteAsync(Events.Write(Events.Tagged(b, 1, "blue")));

        var tagRows = await Db.RowsAsync(
            "SELECT t.persistence_id, t.sequence_nr, t.tag FROM tags t JOIN journal j ON j.ordering = t.ordering_id " +
            "AND j.persistence_id = t.persistence_id AND j.sequence_number = t.sequence_nr ORDER BY t.ordering_id, t.tag");
        Assert.Equal(
            [$"{a}/1/blue", $"{a}/1/red", $"{a}/2/red", $"{b}/1/blue"],
            tagRows.Select(r => $"{r[0]}/{Convert.ToInt64(r[1])}/{r[2]}").ToArray());
        Assert.Equal(4, await Db.ScalarAsync("SELECT count(*) FROM tags"));
        // The payload is stored unwrapped, and replays without its Tagged envelope.
        AssertSequence((await Journal.ReplayAsync(a)).Events, a, 1, 2, 3);
    }

    [Fact]
    public async Task Rows_hold_the_serializer_id_manifest_creation_ticks_and_writer_uuid_as_Akka_Persistence_Sql_writes_them()
    {
        var pid = Pid();
        var before = DateTime.UtcNow.Ticks;
        await Journal.WriteAsync(Events.Write(pid, 1));
        var after = DateTime.UtcNow.Ticks;

        var row = Assert.Single(await Db.RowsAsync(
            $"SELECT identifier, manifest, created, writer_uuid, deleted, message FROM journal WHERE persistence_id = '{pid}'"));
        var serializer = Journal.Sys.Serialization.FindSerializerFor(new Note("x"));
        Assert.Equal(serializer.Identifier, Convert.ToInt32(row[0]));
        Assert.Equal(Akka.Serialization.Serialization.ManifestFor(serializer, new Note("x")), row[1] ?? "");
        Assert.InRange(Convert.ToInt64(row[2]), before, after);
        Assert.Matches("^[0-9a-f]{32}$", (string)row[3]!);
        Assert.False(Convert.ToBoolean(row[4]));
        Assert.Equal(new Note($"{pid}-1"), Journal.Sys.Serialization.Deserialize((byte[])row[5]!, serializer.Identifier, (string?)row[1] ?? ""));
    }

    [Fact]
    public async Task Many_persistent_actors_persisting_at_once_all_recover_their_notes()
    {
        const int actors = 60;
        const int notes = 15;
        var probe = Journal.CreateProbe();
        var refs = Enumerable.Range(0, actors).Select(i => Journal.Sys.ActorOf(NoteTaker.Props($"many-{i}"))).ToArray();
        foreach (var (r, i) in refs.Select((r, i) => (r, i)))
            r.Tell(new PersistNotes([.. Enumerable.Range(1, notes).Select(n => $"{i}.{n}")], ["many"]), probe.Ref);
        for (var i = 0; i < actors; i++) Assert.Equal(notes, (await probe.ExpectMsgAsync<Persisted>()).LastSequenceNr);

        Assert.Equal(actors * notes, await Db.ScalarAsync("SELECT count(*) FROM journal"));
        Assert.Equal(actors * notes, await Db.ScalarAsync("SELECT count(*) FROM tags WHERE tag = 'many'"));
        // New incarnations recover exactly their own notes, in order.
        foreach (var i in new[] { 0, 37, 59 })
        {
            var watcher = Journal.CreateProbe();
            watcher.Watch(refs[i]);
            refs[i].Tell(PoisonPill.Instance);
            await watcher.ExpectTerminatedAsync(refs[i]);
            var again = Journal.Sys.ActorOf(NoteTaker.Props($"many-{i}"));
            again.Tell(new GetNotes(), probe.Ref);
            var state = await probe.ExpectMsgAsync<Notes>();
            Assert.Equal(Enumerable.Range(1, notes).Select(n => $"{i}.{n}").ToArray(), state.Texts);
            Assert.Equal(notes, state.LastSequenceNr);
        }
    }

    [Fact]
    public async Task A_one_megabyte_payload_is_stored_and_replayed_intact()
    {
        var pid = Pid();
        var text = string.Create(1024 * 1024, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = (char)('a' + i % 26);
        });

        var outcomes = await Journal.WriteAsync(Events.Write(Events.Event(pid, 1, new Note(text))), Events.Write(pid, 2));

        Assert.All(outcomes, o => Assert.Equal(EventOutcome.Stored, o.Outcome));
        var (events, _) = await Journal.ReplayAsync(pid);
        Assert.Equal(2, events.Count);
        Assert.Equal(text, ((Note)events[0].Payload).Text);
    }
}

public sealed class GroupCommitOnSqliteJournalSpec(ITestOutputHelper output) : JournalSpec(output)
{
    protected override Writer Writer => Writer.GroupCommit;
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult<TestDatabase>(new SqliteTestDatabase());
}

public sealed class AkkaSqlOnSqliteJournalSpec(ITestOutputHelper output) : JournalSpec(output)
{
    protected override Writer Writer => Writer.AkkaSql;
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult<TestDatabase>(new SqliteTestDatabase());
}

[Collection(PostgresCollection.Name)]
public sealed class GroupCommitOnPostgresJournalSpec(PostgresServer server, ITestOutputHelper output) : JournalSpec(output)
{
    protected override Writer Writer => Writer.GroupCommit;
    protected override async Task<TestDatabase> CreateDatabaseAsync() => await PostgresTestDatabase.CreateAsync(server);
}

[Collection(PostgresCollection.Name)]
public sealed class AkkaSqlOnPostgresJournalSpec(PostgresServer server, ITestOutputHelper output) : JournalSpec(output)
{
    protected override Writer Writer => Writer.AkkaSql;
    protected override async Task<TestDatabase> CreateDatabaseAsync() => await PostgresTestDatabase.CreateAsync(server);
}
