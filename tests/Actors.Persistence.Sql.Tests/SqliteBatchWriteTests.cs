using Actors.Persistence.Journal;

namespace Actors.Persistence.Sql.Tests;

/// <summary>
/// The SQLite write path: single-event writes go in multi-row INSERTs with ON CONFLICT DO NOTHING (no savepoint),
/// multi-event writes in a savepoint each, and the batch's tag rows come from one statement at the end.
/// </summary>
public sealed class SqliteBatchWriteTests : IDisposable
{
    private readonly TempSqliteDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_duplicate_among_many_single_event_writes_fails_alone_and_stops_only_its_actor()
    {
        await using var journal = _db.Journal();
        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(new AtomicWrite(TestEvents.Event("taken", 1, new Noted("original")))));
        var before = journal.TransactionsCommitted;

        // 100 writes (several multi-row statements): the duplicate sits in the middle, its actor's next write after it.
        var writes = Enumerable.Range(0, 100).Select(i => TestEvents.Write($"p-{i}", 1, 1, "t")).ToList();
        writes.Insert(50, new AtomicWrite(TestEvents.Event("taken", 1, new Noted("intruder"), "x")));
        writes.Insert(70, new AtomicWrite(TestEvents.Event("taken", 2, new Noted("after the failure"), "x")));
        var results = await journal.WriteAsync(writes);

        Assert.Equal(before + 1, journal.TransactionsCommitted);
        Assert.IsType<DuplicateSequenceNumberException>(Assert.IsType<WriteResult.Failed>(results[50]).Cause);
        Assert.IsType<WriteResult.Failed>(results[70]); // not attempted: it would leave a gap
        var stored = results.Where((_, i) => i is not 50 and not 70).Select(r => Assert.IsType<WriteResult.Stored>(r).HighestOrdering).ToList();
        Assert.Equal(stored.Order(), stored);
        Assert.Equal(stored.Distinct().Count(), stored.Count);
        Assert.Equal(new Noted("original"), Assert.Single(await journal.ReplayAllAsync("taken")).Payload);
        Assert.Equal(100, _db.Scalar("SELECT count(*) FROM event_tag WHERE tag = 't'"));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM event_tag WHERE tag = 'x'"));
        // Each reported ordering is the row's.
        Assert.Equal(stored[42], _db.Scalar("SELECT ordering FROM journal WHERE persistence_id = 'p-42'"));
    }

    [Fact]
    public async Task Consecutive_writes_of_one_actor_in_a_batch_are_stored_in_order()
    {
        await using var journal = _db.Journal();

        var results = await journal.WriteAsync([.. Enumerable.Range(1, 40).Select(s => TestEvents.Write("same", s, 1, "t"))]);

        var orderings = results.Select(r => Assert.IsType<WriteResult.Stored>(r).HighestOrdering).ToList();
        Assert.Equal(orderings.Order(), orderings);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), (await journal.ReplayAllAsync("same")).Select(e => e.SequenceNr));
        Assert.Equal(40, _db.Scalar("SELECT count(*) FROM event_tag t JOIN journal j ON j.ordering = t.ordering AND j.persistence_id = t.persistence_id AND j.sequence_nr = t.sequence_nr"));
    }

    [Fact]
    public async Task Tag_rows_match_every_stored_event_whatever_path_wrote_it()
    {
        await using var journal = _db.Journal();

        var results = await journal.WriteAsync(
        [
            TestEvents.Write("single", 1, 1, "a", "b"),
            TestEvents.Write("multi", 1, 3, "a"),
            TestEvents.Write("untagged", 1, 2),
            new AtomicWrite(TestEvents.Event("odd-tag", 1, null, "é \"quoted\" \\ tag")),
            TestEvents.Write("single", 2, 1, "b"),
        ]);

        Assert.All(results, r => Assert.IsType<WriteResult.Stored>(r));
        Assert.Equal(4, _db.Scalar("SELECT count(*) FROM event_tag WHERE tag = 'a'"));
        Assert.Equal(2, _db.Scalar("SELECT count(*) FROM event_tag WHERE tag = 'b'"));
        Assert.Equal(1, _db.Scalar("SELECT count(*) FROM event_tag WHERE tag = 'é \"quoted\" \\ tag'"));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM event_tag WHERE persistence_id = 'untagged'"));
        Assert.Equal(0, _db.Scalar(
            "SELECT count(*) FROM event_tag t LEFT JOIN journal j ON j.ordering = t.ordering WHERE j.persistence_id IS NOT t.persistence_id OR j.sequence_nr IS NOT t.sequence_nr"));
    }

    [Fact]
    public async Task A_file_made_with_the_earlier_schema_keeps_working()
    {
        // Before: event_tag was a rowid table with an extra index on (persistence_id, sequence_nr).
        using (var connection = _db.OpenCreating())
        using (var command = connection.CreateCommand())
        {
            command.CommandText =
                """
                CREATE TABLE event_tag (tag TEXT NOT NULL, ordering INTEGER NOT NULL, persistence_id TEXT NOT NULL, sequence_nr INTEGER NOT NULL,
                    PRIMARY KEY (tag, ordering));
                CREATE INDEX event_tag_persistence_id_sequence_nr ON event_tag (persistence_id, sequence_nr);
                """;
            command.ExecuteNonQuery();
        }
        await using var journal = _db.Journal();

        Assert.All(await journal.WriteAsync([TestEvents.Write("d", 1, 3, "t"), TestEvents.Write("e", 1, 1, "t")]), r => Assert.IsType<WriteResult.Stored>(r));
        await journal.DeleteMessagesToAsync("d", 2);

        Assert.Equal(2, _db.Scalar("SELECT count(*) FROM event_tag"));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM event_tag WHERE persistence_id = 'd' AND sequence_nr <= 2"));
    }
}
