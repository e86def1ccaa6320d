using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;

namespace Actors.Persistence.Sql.Tests;

public sealed class SqliteWriteIsolationTests : IDisposable
{
    private readonly TempSqliteDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Second_writer_of_the_same_sequence_numbers_fails_and_overwrites_nothing()
    {
        await using var first = _db.Journal();
        await using var second = _db.Journal();
        await first.InitializeAsync();

        for (var race = 0; race < 10; race++)
        {
            var pid = $"contested-{race}";
            AtomicWrite Write(string who) => new([.. Enumerable.Range(1, 3).Select(s => TestEvents.Event(pid, s, new Noted(who)))]);

            var results = await Task.WhenAll(first.WriteOneAsync(Write("first")), second.WriteOneAsync(Write("second")));

            var winner = Assert.Single(results.Select((r, i) => (r, i)), x => x.r is WriteResult.Stored).i == 0 ? "first" : "second";
            var loser = Assert.Single(results, r => r is WriteResult.Failed);
            var duplicate = Assert.IsType<DuplicateSequenceNumberException>(((WriteResult.Failed)loser).Cause);
            Assert.Contains("already written — another writer?", duplicate.Message);
            Assert.Equal(pid, duplicate.PersistenceId);

            var stored = await first.ReplayAllAsync(pid);
            Assert.Equal([1L, 2L, 3L], stored.Select(e => e.SequenceNr));
            Assert.All(stored, e => Assert.Equal(new Noted(winner), e.Payload));
        }
    }

    [Fact]
    public async Task A_batch_with_one_duplicate_keeps_the_others()
    {
        await using var journal = _db.Journal();
        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(new AtomicWrite(TestEvents.Event("taken", 1, new Noted("original")))));
        var before = journal.TransactionsCommitted;

        var results = await journal.WriteAsync(
        [
            TestEvents.Write("a", 1, count: 2, "tag-a"),
            new AtomicWrite([TestEvents.Event("taken", 1, new Noted("intruder"), "tag-x"), TestEvents.Event("taken", 2, new Noted("intruder"))]),
            TestEvents.Write("b", 1, count: 3),
        ]);

        Assert.IsType<WriteResult.Stored>(results[0]);
        Assert.IsType<DuplicateSequenceNumberException>(Assert.IsType<WriteResult.Failed>(results[1]).Cause);
        Assert.IsType<WriteResult.Stored>(results[2]);
        Assert.Equal(before + 1, journal.TransactionsCommitted);

        Assert.Equal(2, (await journal.ReplayAllAsync("a")).Count);
        Assert.Equal(3, (await journal.ReplayAllAsync("b")).Count);
        // Nothing of the failed write, not even its second event or its tag, and the original untouched.
        var taken = Assert.Single(await journal.ReplayAllAsync("taken"));
        Assert.Equal(new Noted("original"), taken.Payload);
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM event_tag WHERE tag = 'tag-x'"));
        Assert.Equal(2, _db.Scalar("SELECT count(*) FROM event_tag WHERE tag = 'tag-a'"));
    }

    [Fact]
    public async Task After_a_failed_write_the_later_writes_of_that_actor_in_the_batch_are_not_attempted()
    {
        await using var journal = _db.Journal();
        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(TestEvents.Write("taken", 1)));

        var results = await journal.WriteAsync([TestEvents.Write("taken", 1), TestEvents.Write("taken", 2), TestEvents.Write("other", 1)]);

        Assert.IsType<DuplicateSequenceNumberException>(Assert.IsType<WriteResult.Failed>(results[0]).Cause);
        Assert.IsType<WriteResult.Failed>(results[1]);
        Assert.IsType<WriteResult.Stored>(results[2]);
        Assert.Equal(1, await journal.ReadHighestSequenceNrAsync("taken"));
    }

    [Fact]
    public async Task An_unserializable_event_rejects_only_its_own_atomic_write()
    {
        await using var journal = _db.Journal();

        var results = await journal.WriteAsync(
        [
            TestEvents.Write("good-1", 1),
            new AtomicWrite([TestEvents.Event("bad", 1), TestEvents.Event("bad", 2, new Unserializable()), TestEvents.Event("bad", 3)]),
            TestEvents.Write("good-2", 1),
        ]);

        Assert.IsType<WriteResult.Stored>(results[0]);
        Assert.IsType<EventSerializationException>(Assert.IsType<WriteResult.Rejected>(results[1]).Cause);
        Assert.IsType<WriteResult.Stored>(results[2]);
        Assert.Empty(await journal.ReplayAllAsync("bad"));
        // Rejected: the journal is healthy, the actor may go on with the next sequence number.
        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(TestEvents.Write("bad", 4)));
    }

    [Fact]
    public async Task Malformed_atomic_writes_are_rejected()
    {
        await using var journal = _db.Journal();

        var results = await journal.WriteAsync(
        [
            new AtomicWrite(Array.Empty<PersistentRepr>()),
            new AtomicWrite([TestEvents.Event("x", 1), TestEvents.Event("y", 2)]),
            TestEvents.Write("fine", 1),
        ]);

        Assert.IsType<ArgumentException>(Assert.IsType<WriteResult.Rejected>(results[0]).Cause);
        Assert.IsType<ArgumentException>(Assert.IsType<WriteResult.Rejected>(results[1]).Cause);
        Assert.IsType<WriteResult.Stored>(results[2]);
    }

    [Fact]
    public async Task Duplicate_tags_of_one_event_are_stored_once()
    {
        await using var journal = _db.Journal();

        var result = await journal.WriteOneAsync(new AtomicWrite(TestEvents.Event("t", 1, null, "x", "y", "x")));

        Assert.IsType<WriteResult.Stored>(result);
        Assert.Equal(["x", "y"], Assert.Single(await journal.ReplayAllAsync("t")).Tags);
        Assert.Equal(2, _db.Scalar("SELECT count(*) FROM event_tag"));
    }
}
