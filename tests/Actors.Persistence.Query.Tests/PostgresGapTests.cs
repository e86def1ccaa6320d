using System.Diagnostics;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Sql.Postgres;
using Actors.Persistence.Tck;
using Actors.Persistence.Tck.Postgres;
using Xunit.Abstractions;

namespace Actors.Persistence.Query.Tests;

/// <summary>
/// PostgreSQL orderings come from a sequence and transactions commit in any order, so readers see gaps that may still
/// fill. These tests hold journal transactions open on raw connections (written exactly the way PostgresJournal
/// writes) while the real journal commits later events, and check that live and current queries in global order
/// never skip, never repeat and never stall on a gap that will not fill. Also: LISTEN/NOTIFY wakes a read journal
/// for writes of a journal it is not attached to (another process). Each test in a fresh schema.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGapTests(PostgresServer server, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(3);

    private readonly string _schema = $"gap_{Guid.NewGuid():N}";
    private readonly IEventSerializer _serializer = TckSerialization.CreateSerializer();
    private readonly List<IAsyncDisposable> _disposables = [];
    private PostgresJournalOptions? _options;
    private PostgresJournal? _journal;

    private PostgresJournalOptions Options => _options ?? throw new InvalidOperationException("InitializeAsync has not run.");

    private PostgresJournal Journal => _journal ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async Task InitializeAsync()
    {
        _options = new PostgresJournalOptions(await server.GetOrCreateDatabaseAsync(PostgresCollection.Database)) { Schema = _schema };
        _journal = Track(new PostgresJournal(_options, _serializer));
        await _journal.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--) await _disposables[i].DisposeAsync();
    }

    [Fact]
    public async Task A_tagged_insert_held_open_while_later_ones_commit_is_delivered_exactly_once_and_in_order()
    {
        var first = await WriteAsync(Journal, "a", 1, 2, "t");
        // Frequent polls: many chances to move past the held ordering while it is in flight.
        var queries = AttachedReadJournal(new ReadJournalOptions { PageSize = 3, PollInterval = TimeSpan.FromMilliseconds(100) });
        await using var byTag = new StreamProbe<EventEnvelope>(ct => queries.EventsByTag("t", 0, ct));
        await using var all = new StreamProbe<EventEnvelope>(ct => queries.AllEvents(0, ct));
        Assert.Equal(first, (await byTag.NextAsync(2)).Select(e => e.Offset));
        Assert.Equal(first, (await all.NextAsync(2)).Select(e => e.Offset));

        await using var held = await RawJournalTransaction.BeginAsync(Options.ConnectionString, _schema);
        var heldOrdering = await held.InsertAsync(_serializer, "held", 1, "t");
        var later = await WriteAsync(Journal, "b", 1, 5, "t");
        Assert.All(later, o => Assert.True(o > heldOrdering));
        // A current query started now ends at the last of them, so it must wait for the held one as well.
        var current = queries.CurrentEventsByTag("t").CollectAsync(TimeSpan.FromSeconds(15));

        await Task.WhenAll(byTag.ExpectNothingAsync(Hold), all.ExpectNothingAsync(Hold));
        Assert.False(current.IsCompleted, "The current query ended while an ordering below its end was in flight.");

        await held.CommitAsync();
        long[] expected = [heldOrdering, .. later];
        var tagged = await byTag.NextAsync(6);
        Assert.Equal(expected, tagged.Select(e => e.Offset));
        Assert.Equal(["held", "b", "b", "b", "b", "b"], tagged.Select(e => e.PersistenceId));
        Assert.Equal("held-1", ((TckEvent)tagged[0].Event).Text);
        Assert.Equal(expected, (await all.NextAsync(6)).Select(e => e.Offset));
        Assert.Equal([.. first, .. expected], (await current).Select(e => e.Offset));

        await Task.WhenAll(byTag.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)), all.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_rolled_back_held_insert_does_not_stall_readers()
    {
        var poll = TimeSpan.FromMilliseconds(300);
        var first = await WriteAsync(Journal, "a", 1, 1, "t");
        var queries = AttachedReadJournal(new ReadJournalOptions { PageSize = 3, PollInterval = poll });
        await using var byTag = new StreamProbe<EventEnvelope>(ct => queries.EventsByTag("t", 0, ct));
        await using var all = new StreamProbe<EventEnvelope>(ct => queries.AllEvents(0, ct));
        Assert.Equal(first, (await byTag.NextAsync(1)).Select(e => e.Offset));
        Assert.Equal(first, (await all.NextAsync(1)).Select(e => e.Offset));

        await using var held = await RawJournalTransaction.BeginAsync(Options.ConnectionString, _schema);
        var heldOrdering = await held.InsertAsync(_serializer, "held", 1, "t");
        var later = await WriteAsync(Journal, "b", 1, 4, "t");
        var pagesBefore = queries.PagesRead;
        await Task.WhenAll(byTag.ExpectNothingAsync(TimeSpan.FromSeconds(1.5)), all.ExpectNothingAsync(TimeSpan.FromSeconds(1.5)));
        // Blocked readers wait for a poll or a write like caught-up ones: two queries, about one read per poll each.
        var pagesWhileHeld = queries.PagesRead - pagesBefore;
        output.WriteLine($"Reads while the insert was held for 1.5 s: {pagesWhileHeld}.");
        Assert.InRange(pagesWhileHeld, 1, 2 * (1500 / poll.TotalMilliseconds + 2));

        // No notification comes for a rollback: the readers find out at their next poll. (Half a poll later, so that
        // the rollback does not fall just before a poll that was due anyway.)
        await Task.Delay(poll / 2);
        var clock = Stopwatch.StartNew();
        await held.RollbackAsync();
        var tagged = await byTag.NextAsync(4);
        var tagLatency = clock.Elapsed;
        var everything = await all.NextAsync(4);
        var allLatency = clock.Elapsed;
        output.WriteLine($"After the rollback: by tag {tagLatency.TotalMilliseconds:0} ms, all events {allLatency.TotalMilliseconds:0} ms (poll {poll.TotalMilliseconds:0} ms).");

        Assert.Equal(later, tagged.Select(e => e.Offset));
        Assert.Equal(later, everything.Select(e => e.Offset));
        Assert.DoesNotContain(heldOrdering, tagged.Select(e => e.Offset));
        Assert.True(allLatency < 2 * poll + TimeSpan.FromSeconds(1), $"Readers stalled for {allLatency} after the rollback (poll {poll}).");
        await Task.WhenAll(byTag.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)), all.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)));
    }

    /// <summary>
    /// The writer holding the lower ordering took its xid after the writer that committed the higher one. A reader's
    /// snapshot lists only in-progress xids below its xmax (latest completed xid + 1), so this writer is in no list:
    /// the reader's snapshot shows no transaction in progress at all, yet the gap will fill.
    /// </summary>
    [Fact]
    public async Task A_held_insert_whose_xid_is_newer_than_the_committed_one_above_it_is_still_waited_for()
    {
        var first = await WriteAsync(Journal, "a", 1, 1, "t");
        var queries = AttachedReadJournal(new ReadJournalOptions { PageSize = 3, PollInterval = TimeSpan.FromMilliseconds(100) });
        await using var byTag = new StreamProbe<EventEnvelope>(ct => queries.EventsByTag("t", 0, ct));
        await using var all = new StreamProbe<EventEnvelope>(ct => queries.AllEvents(0, ct));
        Assert.Equal(first, (await byTag.NextAsync(1)).Select(e => e.Offset));
        Assert.Equal(first, (await all.NextAsync(1)).Select(e => e.Offset));
        await using var idsBefore = new StreamProbe<string>(queries.PersistenceIds);
        Assert.Equal("a", await idsBefore.NextAsync());

        await using var older = await RawJournalTransaction.BeginAsync(Options.ConnectionString, _schema);
        await using var newer = await RawJournalTransaction.BeginAsync(Options.ConnectionString, _schema);
        Assert.True(newer.Xid > older.Xid);
        var lowOrdering = await newer.InsertAsync(_serializer, "low", 1, "t");
        var highOrdering = await older.InsertAsync(_serializer, "high", 1, "t");
        Assert.True(lowOrdering < highOrdering);
        await older.CommitAsync();

        // Started now, they see "high" and no transaction in progress.
        var current = queries.CurrentAllEvents().CollectAsync(TimeSpan.FromSeconds(15));
        await using var idsAfter = new StreamProbe<string>(queries.PersistenceIds);
        Assert.Equal(["a", "high"], (await idsAfter.NextAsync(2)).Order(StringComparer.Ordinal));

        await Task.WhenAll(
            byTag.ExpectNothingAsync(TimeSpan.FromSeconds(1.5)), all.ExpectNothingAsync(TimeSpan.FromSeconds(1.5)),
            idsBefore.ExpectNothingAsync(TimeSpan.FromSeconds(1.5)), idsAfter.ExpectNothingAsync(TimeSpan.FromSeconds(1.5)));
        Assert.False(current.IsCompleted, "The current query ended while an ordering below its end was in flight.");

        await newer.CommitAsync();
        long[] expected = [lowOrdering, highOrdering];
        Assert.Equal(expected, (await byTag.NextAsync(2)).Select(e => e.Offset));
        Assert.Equal(expected, (await all.NextAsync(2)).Select(e => e.Offset));
        Assert.Equal([.. first, .. expected], (await current).Select(e => e.Offset));
        Assert.Equal("low", await idsAfter.NextAsync());
        // The query that was following the journal meets both in ordering order.
        Assert.Equal(["low", "high"], await idsBefore.NextAsync(2));
        await Task.WhenAll(
            byTag.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)), all.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)),
            idsAfter.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)), idsBefore.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Two_nodes_writing_concurrently_are_followed_exactly_once_and_in_order()
    {
        const int writers = 16, perWriter = 25;
        var node2 = Track(new PostgresJournal(Options with { WriterId = "node-2", WriteParallelism = 4 }, _serializer));
        var queries = AttachedReadJournal(new ReadJournalOptions { PageSize = 50, PollInterval = TimeSpan.FromMilliseconds(100) });
        await using var byTag = new StreamProbe<EventEnvelope>(ct => queries.EventsByTag("even", 0, ct));
        await using var all = new StreamProbe<EventEnvelope>(ct => queries.AllEvents(0, ct));
        await using var ids = new StreamProbe<string>(queries.PersistenceIds);

        // Lanes of two journals commit in any order: gaps open and close all the time, some behind xids above xmax.
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var journal = w % 2 == 0 ? (IJournal)Journal : node2;
            for (var seq = 1; seq <= perWriter; seq++) await WriteAsync(journal, $"w{w}", seq, 1, seq % 2 == 0 ? ["even"] : []);
        })));

        var everything = await all.NextAsync(writers * perWriter, TimeSpan.FromSeconds(15));
        var stored = await queries.CurrentAllEvents().CollectAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(stored.Select(e => e.Offset), everything.Select(e => e.Offset));
        Assert.Equal(writers * perWriter, everything.Select(e => (e.PersistenceId, e.SequenceNr)).Distinct().Count());

        var tagged = await byTag.NextAsync(writers * (perWriter / 2), TimeSpan.FromSeconds(15));
        Assert.Equal(stored.Where(e => e.SequenceNr % 2 == 0).Select(e => e.Offset), tagged.Select(e => e.Offset));
        Assert.Equal(Enumerable.Range(0, writers).Select(w => $"w{w}").Order(), (await ids.NextAsync(writers)).Order());
        await Task.WhenAll(
            all.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)), byTag.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)),
            ids.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Notifications_wake_live_queries_for_writes_of_another_journal_long_before_the_poll()
    {
        // Not attached to any journal, and polling so rarely that only a notification can wake it within the test.
        var queries = Track(new PostgresReadJournal(Options, _serializer, journal: null,
            new ReadJournalOptions { PollInterval = TimeSpan.FromSeconds(30) }));
        // Another process stand-in: a journal instance of its own over the same tables.
        var otherNode = Track(new PostgresJournal(Options with { WriterId = "other-node" }, _serializer));

        await using var byTag = new StreamProbe<EventEnvelope>(ct => queries.EventsByTag("t", 0, ct));
        await using var all = new StreamProbe<EventEnvelope>(ct => queries.AllEvents(0, ct));
        await using var ids = new StreamProbe<string>(queries.PersistenceIds);
        await WaitUntilAsync(() => queries.ListenerConnects >= 1, "the listener connected");
        await byTag.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));

        var latencies = new List<TimeSpan>();
        for (var seq = 1; seq <= 3; seq++)
        {
            var clock = Stopwatch.StartNew();
            var ordering = (await WriteAsync(otherNode, "remote", seq, 1, "t"))[0];
            Assert.Equal(ordering, (await byTag.NextAsync(TimeSpan.FromSeconds(5))).Offset);
            latencies.Add(clock.Elapsed);
            Assert.Equal(ordering, (await all.NextAsync(TimeSpan.FromSeconds(5))).Offset);
        }
        Assert.Equal("remote", await ids.NextAsync(TimeSpan.FromSeconds(5)));
        output.WriteLine($"Write to delivery through NOTIFY: {string.Join(", ", latencies.Select(l => $"{l.TotalMilliseconds:0} ms"))}.");
        Assert.All(latencies, l => Assert.True(l < TimeSpan.FromSeconds(3), $"Took {l}: woken by the poll, not by a notification."));
    }

    // ------------------------------------------------------------------ helpers

    private PostgresReadJournal AttachedReadJournal(ReadJournalOptions options) => Track(new PostgresReadJournal(Journal, _serializer, options));

    private T Track<T>(T disposable) where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    /// <summary>Writes <paramref name="count"/> events, one atomic write each; returns their orderings.</summary>
    private static async Task<long[]> WriteAsync(IJournal journal, string pid, long fromSeq, int count, params string[] tags)
    {
        var orderings = new long[count];
        for (var i = 0; i < count; i++)
        {
            var seq = fromSeq + i;
            var repr = new PersistentRepr(pid, seq, new TckEvent($"{pid}-{seq}", (int)seq), "writer", DateTimeOffset.UtcNow,
                tags.Length == 0 ? PersistentRepr.NoTags : tags);
            var result = (await journal.WriteAsync([new AtomicWrite(repr)]))[0];
            orderings[i] = Assert.IsType<WriteResult.Stored>(result).HighestOrdering;
        }
        return orderings;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(5)) Assert.Fail($"Timed out waiting for: {what}");
            await Task.Delay(10);
        }
    }
}
