using System.Diagnostics;
using Actors.Journal.Query.Tests.Support;
using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;
using Xunit.Abstractions;

namespace Actors.Journal.Query.Tests;

/// <summary>
/// Every query of the fast-sql read journal, current and live, over events written by the stock Akka.Persistence.Sql
/// journal (persistent actors, <c>Tagged</c> events). Run on SQLite and PostgreSQL by the derived classes.
/// </summary>
public abstract class ReadJournalSpec(TestDatabase database, ITestOutputHelper output, string extraConfig = "")
    : ReadJournalTestKit(database, output, extraConfig)
{
    /// <summary>
    /// A live query caught up and nobody woke it would wait for the poll, which comes only after a minute: an event within
    /// seconds proves the wake-up (it takes milliseconds; the rest is room for a busy machine).
    /// </summary>
    private static readonly TimeSpan WokenWithin = TimeSpan.FromSeconds(3);

    /// <summary>Called after each committed write: the in-process wake-up where the database sends none.</summary>
    protected abstract void AfterCommit(Written written);

    protected async Task<Written> WriteAndWakeAsync(string persistenceId, string text, params string[] tags)
    {
        var written = await WriteAsync(persistenceId, text, tags);
        AfterCommit(written);
        return written;
    }

    // ------------------------------------------------------------------ by persistence id

    [Fact]
    public async Task Current_events_by_persistence_id_are_one_actors_events_in_sequence_order_within_the_range()
    {
        for (var i = 1; i <= 5; i++)
        {
            await WriteAsync("a", $"a{i}", i % 2 == 0 ? ["even"] : []);
            await WriteAsync("b", $"b{i}");
        }

        var all = await AllOf(Journal.CurrentEventsByPersistenceId("a", 0, long.MaxValue));
        Assert.Equal(["a1", "a2", "a3", "a4", "a5"], all.Select(TextOf));
        Assert.Equal([1L, 2, 3, 4, 5], all.Select(e => e.SequenceNr));
        Assert.All(all, e => Assert.Equal("a", e.PersistenceId));
        Assert.Equal(["even"], all[1].Tags);
        Assert.Empty(all[0].Tags);

        var range = await AllOf(Journal.CurrentEventsByPersistenceId("a", 2, 4));
        Assert.Equal(["a2", "a3", "a4"], range.Select(TextOf));
        Assert.Empty(await AllOf(Journal.CurrentEventsByPersistenceId("nobody", 0, long.MaxValue)));
    }

    [Fact]
    public async Task A_live_events_by_persistence_id_query_sees_a_new_event_within_milliseconds_when_woken()
    {
        await WriteAsync("a", "a1");
        var probe = Follow(Journal.EventsByPersistenceId("a", 0, long.MaxValue));
        Assert.Equal("a1", TextOf(probe.ExpectMsg<EventEnvelope>()));

        for (var i = 2; i <= 4; i++)
        {
            var clock = Stopwatch.StartNew();
            await WriteAndWakeAsync("a", $"a{i}");
            var envelope = probe.ExpectMsg<EventEnvelope>(WokenWithin);
            Out.WriteLine($"live by persistence id: write to delivery {clock.Elapsed.TotalMilliseconds:F1} ms");
            Assert.Equal($"a{i}", TextOf(envelope));
            Assert.Equal(i, envelope.SequenceNr);
        }
    }

    [Fact]
    public async Task A_live_events_by_persistence_id_query_completes_at_its_to_sequence_number()
    {
        await WriteAsync("a", "a1");
        var probe = Follow(Journal.EventsByPersistenceId("a", 1, 2));
        probe.ExpectMsg<EventEnvelope>();
        await WriteAndWakeAsync("a", "a2");
        Assert.Equal("a2", TextOf(probe.ExpectMsg<EventEnvelope>(WokenWithin)));
        probe.ExpectMsg("completed");
    }

    // ------------------------------------------------------------------ by tag

    [Fact]
    public async Task Current_events_by_tag_are_the_tagged_events_in_journal_order_after_the_offset_with_their_tags()
    {
        await WriteAsync("a", "a1", "green");
        await WriteAsync("b", "b1", "green", "blue");
        await WriteAsync("a", "a2");
        await WriteAsync("c", "c1", "blue");
        await WriteAsync("b", "b2", "green");

        var green = await AllOf(Journal.CurrentEventsByTag("green", Offset.NoOffset()));
        Assert.Equal(["a1", "b1", "b2"], green.Select(TextOf));
        Assert.True(green.Select(OrderingOf).SequenceEqual(green.Select(OrderingOf).Order()));
        Assert.Equal(["blue", "green"], green[1].Tags.Order());

        var afterFirst = await AllOf(Journal.CurrentEventsByTag("green", green[0].Offset));
        Assert.Equal(["b1", "b2"], afterFirst.Select(TextOf));

        Assert.Equal(["b1", "c1"], (await AllOf(Journal.CurrentEventsByTag("blue", Offset.Sequence(0)))).Select(TextOf));
        Assert.Empty(await AllOf(Journal.CurrentEventsByTag("red", Offset.NoOffset())));
    }

    [Fact]
    public async Task A_live_events_by_tag_query_sees_a_new_tagged_event_within_milliseconds_when_woken()
    {
        await WriteAsync("a", "a1", "green");
        var probe = Follow(Journal.EventsByTag("green", Offset.NoOffset()));
        Assert.Equal("a1", TextOf(probe.ExpectMsg<EventEnvelope>()));

        for (var i = 1; i <= 3; i++)
        {
            await WriteAndWakeAsync("b", $"untagged{i}");
            var clock = Stopwatch.StartNew();
            await WriteAndWakeAsync("c", $"c{i}", "green");
            var envelope = probe.ExpectMsg<EventEnvelope>(WokenWithin);
            Out.WriteLine($"live by tag: write to delivery {clock.Elapsed.TotalMilliseconds:F1} ms");
            Assert.Equal($"c{i}", TextOf(envelope));
        }
    }

    // ------------------------------------------------------------------ all events

    [Fact]
    public async Task Current_all_events_are_every_event_in_journal_order_after_the_offset()
    {
        var texts = new List<string>();
        for (var i = 1; i <= 4; i++)
        {
            await WriteAsync("a", $"a{i}", "x");
            await WriteAsync("b", $"b{i}");
            texts.AddRange([$"a{i}", $"b{i}"]);
        }

        var all = await AllOf(Journal.CurrentAllEvents(Offset.NoOffset()));
        Assert.Equal(texts, all.Select(TextOf));
        Assert.True(all.Select(OrderingOf).Zip(all.Select(OrderingOf).Skip(1)).All(p => p.Item1 < p.Item2));

        var rest = await AllOf(Journal.CurrentAllEvents(all[4].Offset));
        Assert.Equal(texts.Skip(5), rest.Select(TextOf));
    }

    [Fact]
    public async Task A_live_all_events_query_continues_with_new_events_within_milliseconds_when_woken()
    {
        await WriteAsync("a", "a1");
        var probe = Follow(Journal.AllEvents(Offset.NoOffset()));
        Assert.Equal("a1", TextOf(probe.ExpectMsg<EventEnvelope>()));

        for (var i = 1; i <= 3; i++)
        {
            var clock = Stopwatch.StartNew();
            await WriteAndWakeAsync($"p{i}", $"e{i}", "t");
            var envelope = probe.ExpectMsg<EventEnvelope>(WokenWithin);
            Out.WriteLine($"live all events: write to delivery {clock.Elapsed.TotalMilliseconds:F1} ms");
            Assert.Equal($"e{i}", TextOf(envelope));
        }
    }

    [Fact]
    public async Task A_current_query_ends_at_the_highest_ordering_when_it_started()
    {
        for (var i = 1; i <= 3; i++) await WriteAsync("a", $"a{i}", "t");

        // One event at a time: the query reads page by page on demand, and a write after its start is not in it.
        var queue = Journal.CurrentAllEvents(Offset.NoOffset()).RunWith(Sink.Queue<EventEnvelope>(), Materializer);
        var first = await queue.PullAsync();
        await WriteAsync("a", "a4", "t");
        var rest = new List<string>();
        while (await queue.PullAsync() is { HasValue: true } next) rest.Add(TextOf(next.Value));
        Assert.Equal("a1", TextOf(first.Value));
        Assert.Equal(["a2", "a3"], rest);
    }

    // ------------------------------------------------------------------ persistence ids

    [Fact]
    public async Task Current_persistence_ids_are_every_actor_once()
    {
        foreach (var id in new[] { "b", "a", "c", "a", "b" }) await WriteAsync(id, id);

        var ids = await Journal.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), Materializer);
        Assert.Equal(["a", "b", "c"], ids.Order());
    }

    [Fact]
    public async Task Live_persistence_ids_lists_existing_actors_then_each_new_actor_once()
    {
        await WriteAsync("a", "a1");
        await WriteAsync("b", "b1");
        var probe = Follow(Journal.PersistenceIds());
        Assert.Equal(["a", "b"], new[] { probe.ExpectMsg<string>(), probe.ExpectMsg<string>() }.Order());

        await WriteAndWakeAsync("a", "a2");
        await WriteAndWakeAsync("c", "c1");
        Assert.Equal("c", probe.ExpectMsg<string>(WokenWithin));
        await WriteAndWakeAsync("b", "b2");
        await WriteAndWakeAsync("d", "d1");
        Assert.Equal("d", probe.ExpectMsg<string>(WokenWithin));
    }

    // ------------------------------------------------------------------ what the stock journal stores

    [Fact]
    public async Task Deleted_events_are_skipped_by_every_query_as_the_stock_read_journal_does()
    {
        for (var i = 1; i <= 4; i++) await WriteAsync("a", $"a{i}", "t");
        await WriteAsync("b", "b1", "t");
        await ActorFor("a").Ask<Deleted>(new DeleteUpTo(3), TimeSpan.FromSeconds(20));

        Assert.Equal(["a4"], (await AllOf(Journal.CurrentEventsByPersistenceId("a", 0, long.MaxValue))).Select(TextOf));
        Assert.Equal(["a4", "b1"], (await AllOf(Journal.CurrentAllEvents(Offset.NoOffset()))).Select(TextOf));
        Assert.Equal(["a4", "b1"], (await AllOf(Journal.CurrentEventsByTag("t", Offset.NoOffset()))).Select(TextOf));
        // (The stock by-persistence-id query agrees; its global queries would first wait out the gaps for ~10 s.)
        Assert.Equal(
            (await AllOf(StockJournal.CurrentEventsByPersistenceId("a", 0, long.MaxValue))).Select(TextOf),
            (await AllOf(Journal.CurrentEventsByPersistenceId("a", 0, long.MaxValue))).Select(TextOf));

        // Deleted rows are gaps in ordering: a live query passes them.
        var probe = Follow(Journal.AllEvents(Offset.NoOffset()));
        Assert.Equal("a4", TextOf(probe.ExpectMsg<EventEnvelope>()));
        Assert.Equal("b1", TextOf(probe.ExpectMsg<EventEnvelope>()));
        await WriteAndWakeAsync("c", "c1");
        Assert.Equal("c1", TextOf(probe.ExpectMsg<EventEnvelope>(WokenWithin)));
    }

    [Fact]
    public async Task Envelopes_match_the_stock_read_journal_offset_persistence_id_sequence_number_timestamp_tags_and_payload()
    {
        await WriteAsync("a", "a1", "green", "blue");
        await WriteAsync("b", "b1");
        await WriteAsync("a", "a2", "green");

        var stock = await AllOf(StockJournal.CurrentAllEvents(Offset.NoOffset()));
        var ours = await AllOf(Journal.CurrentAllEvents(Offset.NoOffset()));
        Assert.Equal(stock.Count, ours.Count);
        foreach (var (s, o) in stock.Zip(ours))
        {
            Assert.Equal(s.Offset, o.Offset);
            Assert.Equal(s.PersistenceId, o.PersistenceId);
            Assert.Equal(s.SequenceNr, o.SequenceNr);
            Assert.Equal(s.Timestamp, o.Timestamp);
            Assert.Equal(s.Tags.Order(), o.Tags.Order());
            Assert.Equal(s.Event, o.Event);
        }
        // created is UTC ticks of the write.
        Assert.InRange(new DateTime(ours[0].Timestamp, DateTimeKind.Utc), DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow);
    }

    // ------------------------------------------------------------------ volume

    [Fact]
    public async Task A_current_query_over_100k_events_reads_them_quickly()
    {
        const int count = 100_000;
        await StartJournalAsync();
        var events = Enumerable.Range(0, count)
            .Select(i => new RawEvent($"account-{i % 1000}", i / 1000 + 1, new Evt($"deposit {i}"), i % 10 == 0 ? ["bulk", "tenth"] : ["bulk"]))
            .ToList();
        var insert = Stopwatch.StartNew();
        await Database.InsertAsync(Sys, events);
        Out.WriteLine($"inserted {count:N0} events in {insert.Elapsed.TotalSeconds:F1} s");

        await Measure("warm-up (JIT, serializer caches)", Journal.CurrentAllEvents(Offset.NoOffset()).Take(5_000));
        var all = await Measure("CurrentAllEvents", Journal.CurrentAllEvents(Offset.NoOffset()));
        Assert.Equal(count, all);
        var bulk = await Measure("CurrentEventsByTag(bulk)", Journal.CurrentEventsByTag("bulk", Offset.NoOffset()));
        Assert.Equal(count, bulk);
        var tenth = await Measure("CurrentEventsByTag(tenth)", Journal.CurrentEventsByTag("tenth", Offset.NoOffset()));
        Assert.Equal(count / 10, tenth);
        Assert.Equal(count, await Measure("CurrentAllEvents (again)", Journal.CurrentAllEvents(Offset.NoOffset())));

        // By hand, for comparison (printed, not asserted; it takes minutes): ACTORS_STOCK_EVENTS=n also reads the first n
        // events with the stock SqlReadJournal.
        if (!int.TryParse(Environment.GetEnvironmentVariable("ACTORS_STOCK_EVENTS"), out var stockEvents)) return;
        await Measure($"stock SqlReadJournal CurrentAllEvents (first {stockEvents:N0})",
            StockJournal.CurrentAllEvents(Offset.NoOffset()).Take(stockEvents), TimeSpan.FromMinutes(30));
        await Measure($"stock SqlReadJournal CurrentEventsByTag(bulk) (first {stockEvents:N0})",
            StockJournal.CurrentEventsByTag("bulk", Offset.NoOffset()).Take(stockEvents), TimeSpan.FromMinutes(30));
    }

    private async Task<long> Measure(string name, Source<EventEnvelope, NotUsed> source, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var (n, last) = await source.RunAggregate((0L, 0L), (acc, e) => (acc.Item1 + 1, OrderingOf(e)), Materializer)
            .WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        Out.WriteLine($"{Database.Provider} {name}: {n:N0} events in {clock.Elapsed.TotalSeconds:F2} s = {n / clock.Elapsed.TotalSeconds:N0} events/s (last ordering {last})");
        return n;
    }
}
