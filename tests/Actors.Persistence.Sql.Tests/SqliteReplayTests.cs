using Actors.Persistence.Journal;

namespace Actors.Persistence.Sql.Tests;

public sealed class SqliteReplayTests : IDisposable
{
    private readonly TempSqliteDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Replay_pages_through_more_events_than_one_page()
    {
        await using var journal = _db.Journal(_db.Options() with { ReplayPageSize = 7 });
        await journal.WriteAsync([.. Enumerable.Range(0, 10).Select(i => TestEvents.Write("many", i * 5 + 1, count: 5))]);

        var all = await journal.ReplayAllAsync("many");
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), all.Select(e => e.SequenceNr));

        var limited = await journal.ReplayAllAsync("many", from: 3, to: 40, max: 15);
        Assert.Equal(Enumerable.Range(3, 15).Select(i => (long)i), limited.Select(e => e.SequenceNr));

        var exactPages = await journal.ReplayAllAsync("many", from: 1, to: 14);
        Assert.Equal(14, exactPages.Count);
    }

    [Fact]
    public async Task Replay_honours_the_range_and_max()
    {
        await using var journal = _db.Journal();
        await journal.WriteOneAsync(TestEvents.Write("r", 1, count: 5));

        Assert.Empty(await journal.ReplayAllAsync("r", max: 0));
        Assert.Empty(await journal.ReplayAllAsync("r", from: 4, to: 3));
        Assert.Empty(await journal.ReplayAllAsync("r", from: 6));
        Assert.Empty(await journal.ReplayAllAsync("unknown"));
        Assert.Equal([2L, 3L, 4L], (await journal.ReplayAllAsync("r", from: 2, to: 4)).Select(e => e.SequenceNr));
        Assert.Equal([3L], (await journal.ReplayAllAsync("r", from: 3, to: 3)).Select(e => e.SequenceNr));
        Assert.Equal([1L, 2L], (await journal.ReplayAllAsync("r", from: 0, max: 2)).Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task Replayed_events_carry_manifest_ordering_tags_writer_and_timestamp()
    {
        await using var journal = _db.Journal();
        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        await journal.WriteOneAsync(TestEvents.Write("other", 1));
        var stored = await journal.WriteOneAsync(new AtomicWrite(
        [
            new PersistentRepr("e", 1, new Deposited(12.5m), "writer-1", timestamp, ["b", "a"]),
            new PersistentRepr("e", 2, new Noted("plain"), "", timestamp, PersistentRepr.NoTags),
        ]));

        var events = await journal.ReplayAllAsync("e");

        Assert.Equal(3, Assert.IsType<WriteResult.Stored>(stored).HighestOrdering);
        Assert.Equal(new Deposited(12.5m), events[0].Payload);
        Assert.Equal("test.deposited", events[0].Manifest);
        Assert.Equal(2, events[0].Ordering);
        Assert.Equal(["b", "a"], events[0].Tags);
        Assert.Equal("writer-1", events[0].WriterId);
        Assert.Equal(timestamp, events[0].Timestamp);
        Assert.Equal("test.noted", events[1].Manifest);
        Assert.Equal(3, events[1].Ordering);
        Assert.Empty(events[1].Tags);
        Assert.Equal(journal.Options.WriterId, events[1].WriterId);
        // Tags are indexed in event_tag, in global order.
        Assert.Equal(2, _db.Scalar("SELECT ordering FROM event_tag WHERE tag = 'a'"));
    }

    [Fact]
    public async Task Decimals_come_back_exact()
    {
        await using var journal = _db.Journal(_db.Options() with { ReplayPageSize = 100 });
        for (var i = 0; i < 10; i++)
            await journal.WriteAsync([.. Enumerable.Range(0, 10).Select(j => new AtomicWrite(
                [.. Enumerable.Range(1, 10).Select(k => TestEvents.Event("money", i * 100 + j * 10 + k, new Deposited(0.1m)))]))]);

        var events = await journal.ReplayAllAsync("money");

        Assert.Equal(1000, events.Count);
        var sum = events.Sum(e => ((Deposited)e.Payload).Amount);
        Assert.Equal(100.0m, sum);
        Assert.Equal("100.0", sum.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var odd = new Deposited(79228162514264337593543950335m);
        await journal.WriteOneAsync(new AtomicWrite(TestEvents.Event("max", 1, odd)));
        Assert.Equal(odd, Assert.Single(await journal.ReplayAllAsync("max")).Payload);
    }

    [Fact]
    public async Task Highest_sequence_number_survives_deleting_all_events()
    {
        await using var journal = _db.Journal();
        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync("unknown"));
        await journal.WriteOneAsync(TestEvents.Write("d", 1, count: 5, "tag"));
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync("d"));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM metadata"));

        await journal.DeleteMessagesToAsync("d", 3);
        Assert.Equal([4L, 5L], (await journal.ReplayAllAsync("d")).Select(e => e.SequenceNr));
        Assert.Equal(2, _db.Scalar("SELECT count(*) FROM event_tag WHERE persistence_id = 'd'"));

        await journal.DeleteMessagesToAsync("d", long.MaxValue);
        Assert.Empty(await journal.ReplayAllAsync("d"));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM journal WHERE persistence_id = 'd'"));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM event_tag WHERE persistence_id = 'd'"));
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync("d"));

        // Deleting again, or below, never lowers it; new writes raise it.
        await journal.DeleteMessagesToAsync("d", 2);
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync("d"));
        await journal.WriteOneAsync(TestEvents.Write("d", 6));
        Assert.Equal(6, await journal.ReadHighestSequenceNrAsync("d"));
        // A deleted ordering is never handed out again.
        Assert.Equal(6, Assert.Single(await journal.ReplayAllAsync("d")).Ordering);
    }
}
