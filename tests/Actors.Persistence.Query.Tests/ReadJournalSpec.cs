using System.Diagnostics;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Tck;

namespace Actors.Persistence.Query.Tests;

/// <summary>
/// The behaviour every <see cref="ReadJournal"/> must show (after Akka's query TCK: EventsByPersistenceIdSpec,
/// EventsByTagSpec, CurrentEventsByTagSpec, AllEventsSpec, PersistenceIdsSpec). Each test gets fresh, empty storage
/// (<see cref="CreateJournalAsync"/>) and a read journal attached to its journal.
/// </summary>
public abstract class ReadJournalSpec : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = StreamProbe<object>.DefaultTimeout;

    private readonly List<IAsyncDisposable> _disposables = [];
    private IJournal? _journal;
    private ReadJournal? _queries;

    protected IEventSerializer Serializer { get; } = TckSerialization.CreateSerializer();

    protected IJournal Journal => _journal ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>The read journal under test, with <see cref="DefaultOptions"/>.</summary>
    protected ReadJournal Queries => _queries ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>A small page, so that every test reads several pages.</summary>
    protected virtual ReadJournalOptions DefaultOptions => new() { PageSize = 7 };

    /// <summary>Fresh, empty storage for the current test, and the journal that writes it (built with <see cref="Serializer"/>).</summary>
    protected abstract Task<IJournal> CreateJournalAsync();

    /// <summary>A read journal over the storage of <paramref name="journal"/>, attached to it (woken by its writes).</summary>
    protected abstract ReadJournal CreateReadJournal(IJournal journal, ReadJournalOptions options);

    public virtual async Task InitializeAsync()
    {
        _journal = await CreateJournalAsync();
        if (_journal is IAsyncDisposable disposable) _disposables.Add(disposable);
        _queries = OpenReadJournal(DefaultOptions);
    }

    public virtual async Task DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--) await _disposables[i].DisposeAsync();
    }

    /// <summary>Another read journal over the test's storage (disposed after the test).</summary>
    protected ReadJournal OpenReadJournal(ReadJournalOptions options)
    {
        var queries = CreateReadJournal(Journal, options);
        _disposables.Add(queries);
        return queries;
    }

    // ================================================================== by persistence id

    [Fact]
    public async Task Current_by_id_respects_from_and_to()
    {
        await WriteAsync("a", 1, 10);
        await WriteAsync("b", 1, 3);

        AssertSeqs(await Queries.CurrentEventsByPersistenceId("a", 3, 7).CollectAsync(), "a", 3, 4, 5, 6, 7);
        AssertSeqs(await Queries.CurrentEventsByPersistenceId("a").CollectAsync(), "a", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        AssertSeqs(await Queries.CurrentEventsByPersistenceId("a", 0, 2).CollectAsync(), "a", 1, 2);
        AssertSeqs(await Queries.CurrentEventsByPersistenceId("a", 8, 100).CollectAsync(), "a", 8, 9, 10);
        AssertSeqs(await Queries.CurrentEventsByPersistenceId("a", 5, 5).CollectAsync(), "a", 5);
        Assert.Empty(await Queries.CurrentEventsByPersistenceId("a", 7, 3).CollectAsync());
        Assert.Empty(await Queries.CurrentEventsByPersistenceId("a", 11).CollectAsync());
    }

    [Fact]
    public async Task Current_by_id_of_an_unknown_id_is_empty()
    {
        await WriteAsync("a", 1, 2);
        Assert.Empty(await Queries.CurrentEventsByPersistenceId("nobody").CollectAsync());
    }

    [Fact]
    public async Task Current_by_id_stops_at_the_end_and_offsets_are_the_orderings()
    {
        var orderings = await WriteAsync("a", 1, 20);
        var events = await Queries.CurrentEventsByPersistenceId("a").CollectAsync();
        AssertSeqs(events, "a", [.. Enumerable.Range(1, 20).Select(i => (long)i)]);
        Assert.Equal(orderings, events.Select(e => e.Offset));
    }

    [Fact]
    public async Task Live_by_id_continues_with_events_written_later()
    {
        await WriteAsync("a", 1, 3);
        await using var probe = new StreamProbe<EventEnvelope>(ct => Queries.EventsByPersistenceId("a", 2, long.MaxValue, ct));
        AssertSeqs(await probe.NextAsync(2), "a", 2, 3);
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));

        await WriteAsync("b", 1, 1);
        await WriteAsync("a", 4, 10);
        AssertSeqs(await probe.NextAsync(10), "a", 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Live_by_id_completes_at_toSequenceNr()
    {
        await WriteAsync("a", 1, 2);
        await using var probe = new StreamProbe<EventEnvelope>(ct => Queries.EventsByPersistenceId("a", 1, 4, ct));
        AssertSeqs(await probe.NextAsync(2), "a", 1, 2);
        await WriteAsync("a", 3, 3);
        AssertSeqs(await probe.NextAsync(2), "a", 3, 4);
        Assert.Null(await probe.EndedWithAsync(Timeout));
    }

    // ================================================================== by tag

    [Fact]
    public async Task Tag_query_returns_only_the_tagged_events_in_order()
    {
        var green1 = await WriteAsync("a", 1, 1, "green");
        await WriteAsync("a", 2, 1);
        await WriteAsync("b", 1, 1, "blue");
        var green2 = await WriteAsync("b", 2, 1, "blue", "green");
        await WriteAsync("c", 1, 1, "greenish");
        var green3 = await WriteAsync("c", 2, 1, "green");

        var events = await Queries.CurrentEventsByTag("green").CollectAsync();
        Assert.Equal([.. green1, .. green2, .. green3], events.Select(e => e.Offset));
        Assert.Equal(["a", "b", "c"], events.Select(e => e.PersistenceId));
        Assert.All(events, e => Assert.Contains("green", e.Tags));
        Assert.Equal(["blue", "green"], events[1].Tags);
        Assert.Equal(2, (await Queries.CurrentEventsByTag("blue").CollectAsync()).Count);
    }

    [Fact]
    public async Task Tag_offsets_are_exclusive()
    {
        var orderings = new List<long>();
        for (var i = 1; i <= 10; i++) orderings.AddRange(await WriteAsync("a", i, 1, "t"));

        var all = await Queries.CurrentEventsByTag("t", 0).CollectAsync();
        Assert.Equal(orderings, all.Select(e => e.Offset));

        var afterSecond = await Queries.CurrentEventsByTag("t", all[1].Offset).CollectAsync();
        Assert.Equal(orderings.Skip(2), afterSecond.Select(e => e.Offset));

        Assert.Empty(await Queries.CurrentEventsByTag("t", all[^1].Offset).CollectAsync());

        await using var probe = new StreamProbe<EventEnvelope>(ct => Queries.EventsByTag("t", all[6].Offset, ct));
        Assert.Equal(orderings.Skip(7), (await probe.NextAsync(3)).Select(e => e.Offset));
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Unknown_tag_is_empty()
    {
        await WriteAsync("a", 1, 5, "t");
        Assert.Empty(await Queries.CurrentEventsByTag("unknown").CollectAsync());
        await using var probe = new StreamProbe<EventEnvelope>(ct => Queries.EventsByTag("unknown", 0, ct));
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
        await WriteAsync("a", 6, 3, "t");
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Live_by_tag_continues_with_events_written_later()
    {
        await WriteAsync("a", 1, 2, "t");
        await using var probe = new StreamProbe<EventEnvelope>(ct => Queries.EventsByTag("t", 0, ct));
        AssertSeqs(await probe.NextAsync(2), "a", 1, 2);

        await WriteAsync("b", 1, 1);
        await WriteAsync("b", 2, 1, "t");
        await WriteAsync("a", 3, 9, "t");
        var later = await probe.NextAsync(10);
        Assert.Equal(["b", .. Enumerable.Repeat("a", 9)], later.Select(e => e.PersistenceId));
        AssertAscending(later);
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Current_by_tag_ends_at_the_highest_offset_when_it_started()
    {
        await WriteAsync("a", 1, 10, "t");
        await using var e = Queries.CurrentEventsByTag("t").GetAsyncEnumerator();
        Assert.True(await e.MoveNextAsync());
        await WriteAsync("a", 11, 10, "t");
        var count = 1;
        while (await e.MoveNextAsync()) count++;
        Assert.Equal(10, count);
        Assert.Equal(20, (await Queries.CurrentEventsByTag("t").CollectAsync()).Count);
    }

    // ================================================================== all events

    [Fact]
    public async Task All_events_offsets_are_exclusive()
    {
        var orderings = new List<long>();
        orderings.AddRange(await WriteAsync("a", 1, 3));
        orderings.AddRange(await WriteAsync("b", 1, 3, "t"));
        orderings.AddRange(await WriteAsync("a", 4, 3));

        var all = await Queries.CurrentAllEvents().CollectAsync();
        Assert.Equal(orderings, all.Select(e => e.Offset));
        Assert.Equal(orderings.Skip(4), (await Queries.CurrentAllEvents(all[3].Offset).CollectAsync()).Select(e => e.Offset));
        Assert.Empty(await Queries.CurrentAllEvents(all[^1].Offset).CollectAsync());

        await using var probe = new StreamProbe<EventEnvelope>(ct => Queries.AllEvents(all[^2].Offset, ct));
        Assert.Equal(all[^1].Offset, (await probe.NextAsync()).Offset);
        var next = await WriteAsync("c", 1, 2);
        Assert.Equal(next, (await probe.NextAsync(2)).Select(e => e.Offset));
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task One_hundred_fifty_events_come_in_order_through_every_query()
    {
        var written = new List<(string Pid, long Seq, long Ordering)>();
        for (var i = 0; i < 150; i++)
        {
            var pid = $"p{i % 4}";
            var seq = i / 4 + 1;
            var ordering = (await WriteAsync(pid, seq, 1, i % 3 == 0 ? ["third"] : []))[0];
            written.Add((pid, seq, ordering));
        }

        var all = await Queries.CurrentAllEvents().CollectAsync();
        Assert.Equal(written.Select(w => (w.Pid, w.Seq, w.Ordering)), all.Select(e => (e.PersistenceId, e.SequenceNr, e.Offset)));
        Assert.All(all, e => Assert.Equal($"{e.PersistenceId}-{e.SequenceNr}", ((TckEvent)e.Event).Text));

        var tagged = await Queries.CurrentEventsByTag("third").CollectAsync();
        Assert.Equal(written.Where((_, i) => i % 3 == 0).Select(w => w.Ordering), tagged.Select(e => e.Offset));

        var p1 = await Queries.CurrentEventsByPersistenceId("p1").CollectAsync();
        AssertSeqs(p1, "p1", [.. written.Where(w => w.Pid == "p1").Select(w => w.Seq)]);

        await using var probe = new StreamProbe<EventEnvelope>(ct => Queries.AllEvents(0, ct));
        Assert.Equal(written.Select(w => w.Ordering), (await probe.NextAsync(150)).Select(e => e.Offset));
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Deleted_events_are_passed_over()
    {
        await WriteAsync("a", 1, 5, "t");
        var kept = await WriteAsync("b", 1, 2, "t");
        await Journal.DeleteMessagesToAsync("a", long.MaxValue);
        var later = await WriteAsync("a", 6, 1, "t");

        Assert.Equal([.. kept, .. later], (await Queries.CurrentAllEvents().CollectAsync()).Select(e => e.Offset));
        Assert.Equal([.. kept, .. later], (await Queries.CurrentEventsByTag("t").CollectAsync()).Select(e => e.Offset));
        AssertSeqs(await Queries.CurrentEventsByPersistenceId("a").CollectAsync(), "a", 6);
        Assert.Equal(["a", "b"], (await Queries.CurrentPersistenceIds().CollectAsync()).Order());

        await using var probe = new StreamProbe<EventEnvelope>(ct => Queries.EventsByTag("t", 0, ct));
        Assert.Equal([.. kept, .. later], (await probe.NextAsync(3)).Select(e => e.Offset));
        var last = await WriteAsync("b", 3, 1, "t");
        Assert.Equal(last, (await probe.NextAsync(1)).Select(e => e.Offset));
    }

    [Fact]
    public async Task Concurrent_writers_are_seen_by_a_live_tag_query_once_each_and_in_order()
    {
        const int writers = 10, perWriter = 15;
        await using var probe = new StreamProbe<EventEnvelope>(ct => Queries.EventsByTag("c", 0, ct));
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var seq = 1; seq <= perWriter; seq++) await WriteAsync($"w{w}", seq, 1, "c");
        })));

        var live = await probe.NextAsync(writers * perWriter, TimeSpan.FromSeconds(4));
        AssertAscending(live);
        Assert.Equal(writers * perWriter, live.Select(e => (e.PersistenceId, e.SequenceNr)).Distinct().Count());
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(live.Select(e => e.Offset), (await Queries.CurrentEventsByTag("c").CollectAsync()).Select(e => e.Offset));
    }

    // ================================================================== persistence ids

    [Fact]
    public async Task Current_persistence_ids_come_once_each()
    {
        var ids = Enumerable.Range(0, 25).Select(i => $"id-{i:00}").ToList();
        foreach (var id in ids) await WriteAsync(id, 1, 3);
        await WriteAsync("id-03", 4, 2);

        var current = await Queries.CurrentPersistenceIds().CollectAsync();
        Assert.Equal(ids, current.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Live_persistence_ids_come_once_each_also_new_ones()
    {
        foreach (var id in new[] { "a", "b", "c" }) await WriteAsync(id, 1, 2);
        await using var probe = new StreamProbe<string>(Queries.PersistenceIds);
        Assert.Equal(["a", "b", "c"], (await probe.NextAsync(3)).Order());

        await WriteAsync("a", 3, 2);
        await WriteAsync("0-new", 1, 1);
        await WriteAsync("b", 3, 1);
        await WriteAsync("z-new", 1, 3);
        Assert.Equal(["0-new", "z-new"], await probe.NextAsync(2));
        await WriteAsync("z-new", 4, 1);
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
    }

    // ================================================================== demand, cancellation, waking

    [Fact]
    public async Task A_slow_consumer_makes_the_query_read_one_page_at_a_time()
    {
        await WriteAsync("a", 1, 40, "t");
        var queries = OpenReadJournal(DefaultOptions with { PageSize = 5 });

        await using var e = queries.EventsByTag("t", 0).GetAsyncEnumerator();
        for (var taken = 1; taken <= 40; taken++)
        {
            Assert.True(await e.MoveNextAsync());
            // Never read ahead of demand: the page holding item n is page ceil(n / 5); a store may need one extra
            // query where it has to look past its settled range (PostgreSQL), never more.
            Assert.InRange(queries.PagesRead, 1, (taken + 4) / 5 + 1 + taken / 16);
            if (taken % 10 == 0)
            {
                var pages = queries.PagesRead;
                await Task.Delay(100);
                Assert.Equal(pages, queries.PagesRead); // a paused consumer causes no reads
            }
        }
    }

    [Fact]
    public async Task Cancelling_ends_live_queries_promptly()
    {
        await WriteAsync("a", 1, 2, "t");
        // Polling so rare that only the cancellation can end the waits.
        var queries = OpenReadJournal(DefaultOptions with { PollInterval = TimeSpan.FromSeconds(30) });
        var probes = new[]
        {
            new StreamProbe<object>(ct => Project(queries.EventsByTag("t", 0, ct))),
            new StreamProbe<object>(ct => Project(queries.AllEvents(0, ct))),
            new StreamProbe<object>(ct => Project(queries.EventsByPersistenceId("a", 0, long.MaxValue, ct))),
            new StreamProbe<object>(ct => Project(queries.PersistenceIds(ct))),
        };
        foreach (var probe in probes) await probe.NextAsync();
        await Task.Delay(100); // all of them caught up and waiting

        var clock = Stopwatch.StartNew();
        foreach (var probe in probes) await probe.CancelAsync();
        foreach (var probe in probes)
        {
            var ended = await probe.EndedWithAsync(TimeSpan.FromSeconds(1));
            Assert.IsAssignableFrom<OperationCanceledException>(ended);
            await probe.DisposeAsync();
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"Took {clock.Elapsed}.");
    }

    [Fact]
    public async Task Writes_wake_live_queries_without_waiting_for_the_poll()
    {
        var queries = OpenReadJournal(DefaultOptions with { PollInterval = TimeSpan.FromSeconds(30) });
        await using var probe = new StreamProbe<EventEnvelope>(ct => queries.EventsByTag("t", 0, ct));
        await using var ids = new StreamProbe<string>(queries.PersistenceIds);
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
        for (var i = 1; i <= 3; i++)
        {
            await WriteAsync("a", i, 1, "t");
            Assert.Equal(i, (await probe.NextAsync(TimeSpan.FromSeconds(2))).SequenceNr);
        }
        Assert.Equal("a", await ids.NextAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Disposing_the_read_journal_ends_its_live_queries()
    {
        var queries = OpenReadJournal(DefaultOptions with { PollInterval = TimeSpan.FromSeconds(30) });
        await using var probe = new StreamProbe<EventEnvelope>(ct => queries.EventsByTag("t", 0, ct));
        await probe.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
        await queries.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(2));
        Assert.IsType<ObjectDisposedException>(await probe.EndedWithAsync(TimeSpan.FromSeconds(2)));
    }

    // ================================================================== envelope, highest offset

    [Fact]
    public async Task Envelopes_carry_the_stored_event()
    {
        var timestamp = Now();
        var money = new TckMoney(12.340m, "EUR");
        var results = await Journal.WriteAsync([new AtomicWrite(new PersistentRepr("m", 1, money, "w", timestamp, ["x", "y"]))]);
        var ordering = Assert.IsType<WriteResult.Stored>(results[0]).HighestOrdering;

        foreach (var e in new[]
                 {
                     (await Queries.CurrentEventsByPersistenceId("m").CollectAsync()).Single(),
                     (await Queries.CurrentEventsByTag("y").CollectAsync()).Single(),
                     (await Queries.CurrentAllEvents().CollectAsync()).Single(),
                 })
        {
            Assert.Equal(new EventEnvelope(ordering, "m", 1, timestamp, e.Tags, money, TckSerialization.MoneyManifest), e);
            Assert.Equal(["x", "y"], e.Tags);
            Assert.Equal("12.340", ((TckMoney)e.Event).Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Highest_offset_is_the_last_ordering_stored()
    {
        Assert.Equal(0, await Queries.HighestOffsetAsync());
        await WriteAsync("a", 1, 3);
        var last = await WriteAsync("b", 1, 2);
        Assert.Equal(last[^1], await Queries.HighestOffsetAsync());
    }

    // ================================================================== helpers

    /// <summary>Writes <paramref name="count"/> events of <paramref name="pid"/>, one atomic write each; returns their orderings.</summary>
    protected async Task<long[]> WriteAsync(string pid, long fromSeq, int count, params string[] tags)
    {
        var orderings = new long[count];
        for (var i = 0; i < count; i++)
        {
            var seq = fromSeq + i;
            var repr = new PersistentRepr(pid, seq, new TckEvent($"{pid}-{seq}", (int)seq), "writer", Now(),
                tags.Length == 0 ? PersistentRepr.NoTags : tags);
            var result = (await Journal.WriteAsync([new AtomicWrite(repr)]))[0];
            orderings[i] = Assert.IsType<WriteResult.Stored>(result).HighestOrdering;
        }
        return orderings;
    }

    protected static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    protected static void AssertSeqs(IReadOnlyList<EventEnvelope> events, string pid, params long[] seqs)
    {
        Assert.Equal(seqs, events.Select(e => e.SequenceNr));
        Assert.All(events, e => Assert.Equal(pid, e.PersistenceId));
        AssertAscending(events);
    }

    protected static void AssertAscending(IReadOnlyList<EventEnvelope> events)
    {
        for (var i = 1; i < events.Count; i++)
            Assert.True(events[i - 1].Offset < events[i].Offset, $"Offsets out of order at {i}: {events[i - 1].Offset} then {events[i].Offset}.");
    }

    private static async IAsyncEnumerable<object> Project<T>(IAsyncEnumerable<T> source) where T : notnull
    {
        await foreach (var item in source) yield return item;
    }
}
