using Actors.Persistence.Journal;

namespace Actors.Persistence.Sql.Tests;

public sealed class SqliteGroupCommitTests : IDisposable
{
    private readonly TempSqliteDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Writes_from_many_actors_share_one_transaction()
    {
        await using var journal = _db.Journal();
        await journal.InitializeAsync();
        const int actors = 50;
        const int writesPerActor = 10;

        // Every "actor" persists in a tight loop: it sends its next write as soon as the previous one is stored.
        var results = await Task.WhenAll(Enumerable.Range(0, actors).Select(a => Task.Run(async () =>
        {
            var stored = new List<WriteResult>();
            for (var seq = 1; seq <= writesPerActor; seq++) stored.Add(await journal.WriteOneAsync(TestEvents.Write($"actor-{a}", seq)));
            return stored;
        })));

        Assert.All(results.SelectMany(r => r), r => Assert.IsType<WriteResult.Stored>(r));
        Assert.Equal(actors * writesPerActor, _db.Scalar("SELECT count(*) FROM journal"));
        // Group commit: far fewer transactions (fsyncs) than writes.
        Assert.InRange(journal.TransactionsCommitted, 1, actors * writesPerActor / 4);
    }

    [Fact]
    public async Task Writes_queued_together_are_committed_in_one_transaction_each_with_its_own_result()
    {
        await using var journal = _db.Journal();
        await journal.InitializeAsync();
        var writes = Enumerable.Range(1, 200).Select(i => TestEvents.Write($"p-{i}", 1, count: 2)).ToList();

        var results = await journal.WriteAsync(writes);

        Assert.Equal(1, journal.TransactionsCommitted);
        var orderings = results.Select(r => Assert.IsType<WriteResult.Stored>(r).HighestOrdering).ToList();
        // Each write's own highest ordering, in the order the writes were given.
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i * 2), orderings);
    }

    [Fact]
    public async Task A_batch_holds_at_most_MaxBatchSize_events_but_never_splits_an_atomic_write()
    {
        await using var journal = _db.Journal(_db.Options() with { MaxBatchSize = 10 });
        await journal.InitializeAsync();

        // 20 calls of 4 events each: at most 2 calls (8 events) fit in a batch of 10.
        var calls = Enumerable.Range(0, 20).Select(i => journal.WriteAsync([TestEvents.Write($"p-{i}", 1, count: 4)])).ToList();
        // One atomic write bigger than the batch size still goes in whole.
        var big = await journal.WriteOneAsync(TestEvents.Write("big", 1, count: 25));
        var results = (await Task.WhenAll(calls)).SelectMany(r => r).ToList();

        Assert.All(results, r => Assert.IsType<WriteResult.Stored>(r));
        Assert.IsType<WriteResult.Stored>(big);
        Assert.True(journal.TransactionsCommitted >= 11, $"{journal.TransactionsCommitted} transactions for 80 + 25 events with batches of 10");
        Assert.Equal(25, (await journal.ReplayAllAsync("big")).Count);
    }

    [Fact]
    public async Task A_lone_actor_in_a_tight_loop_shares_its_fsyncs_with_the_others()
    {
        await using var journal = _db.Journal();
        await journal.InitializeAsync();
        using var stop = new CancellationTokenSource();

        var others = Enumerable.Range(0, 20).Select(a => Task.Run(async () =>
        {
            for (var seq = 1; !stop.IsCancellationRequested; seq++) await journal.WriteOneAsync(TestEvents.Write($"other-{a}", seq));
        })).ToList();

        var before = journal.TransactionsCommitted;
        for (var seq = 1; seq <= 100; seq++) Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(TestEvents.Write("lone", seq)));
        var during = journal.TransactionsCommitted - before;
        await stop.CancelAsync();
        await Task.WhenAll(others);

        var stored = _db.Scalar("SELECT count(*) FROM journal");
        // Without sharing there would be one transaction per write (>= 100 for "lone" alone plus all the others').
        Assert.True(during < stored / 2, $"{during} transactions for {stored} writes");
    }

    [Fact]
    public async Task EventsWritten_is_raised_after_each_committed_batch()
    {
        await using var journal = _db.Journal();
        var raised = 0;
        var seenStored = new List<long>();
        journal.EventsWritten += () => Interlocked.Increment(ref raised);
        journal.EventsWritten += () => throw new InvalidOperationException("a faulty listener must not break the journal");
        journal.EventsWritten += () =>
        {
            lock (seenStored) seenStored.Add(_db.Scalar("SELECT count(*) FROM journal"));
        };

        await journal.WriteOneAsync(TestEvents.Write("a", 1));
        await journal.WriteOneAsync(TestEvents.Write("a", 2));
        var third = await journal.WriteOneAsync(TestEvents.Write("a", 3));

        Assert.IsType<WriteResult.Stored>(third);
        Assert.Equal(3, Volatile.Read(ref raised));
        // When a listener runs, the batch is committed: a separate connection already sees it.
        lock (seenStored) Assert.Equal([1L, 2L, 3L], seenStored);
    }
}
