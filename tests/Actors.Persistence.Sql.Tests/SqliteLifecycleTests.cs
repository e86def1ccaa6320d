using Actors.Persistence.Journal;

namespace Actors.Persistence.Sql.Tests;

public sealed class SqliteLifecycleTests : IDisposable
{
    private readonly TempSqliteDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Dispose_completes_the_queued_writes_and_later_writes_fail()
    {
        var journal = _db.Journal();
        await journal.InitializeAsync();
        var queued = Enumerable.Range(1, 200).Select(i => journal.WriteAsync([TestEvents.Write($"p-{i}", 1)])).ToList();

        await journal.DisposeAsync();

        // Every queued write was written before the journal closed (callers resume right after).
        var results = await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.All(results.SelectMany(r => r), r => Assert.IsType<WriteResult.Stored>(r));
        var late = Assert.IsType<WriteResult.Failed>(await journal.WriteOneAsync(TestEvents.Write("late", 1)));
        Assert.IsType<ObjectDisposedException>(late.Cause);
        await journal.DisposeAsync(); // twice is fine
        Assert.Equal(200, _db.Scalar("SELECT count(*) FROM journal"));
    }

    [Fact]
    public async Task Dispose_does_not_hang_when_the_database_is_stuck()
    {
        var journal = _db.Journal(_db.Options() with { BusyTimeout = TimeSpan.FromSeconds(1), ShutdownTimeout = TimeSpan.FromMilliseconds(200) });
        await journal.WriteOneAsync(TestEvents.Write("warm-up", 1));
        using var blocker = _db.Open();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }
        var stuck = journal.WriteAsync([TestEvents.Write("stuck", 1)]);
        var queuedBehind = Enumerable.Range(1, 5).Select(i => journal.WriteAsync([TestEvents.Write($"behind-{i}", 1)])).ToList();

        var dispose = journal.DisposeAsync().AsTask();
        await dispose.WaitAsync(TimeSpan.FromSeconds(10));

        var results = (await Task.WhenAll(queuedBehind.Append(stuck))).SelectMany(r => r).ToList();
        Assert.All(results, r => Assert.IsType<WriteResult.Failed>(r));
        Assert.Equal(0, journal.PendingWrites);
    }

    [Fact]
    public async Task Cancelling_stops_the_wait_and_skips_a_write_not_yet_attempted()
    {
        await using var journal = _db.Journal(_db.Options() with { BusyTimeout = TimeSpan.FromSeconds(20) });
        await journal.WriteOneAsync(TestEvents.Write("warm-up", 1));

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => journal.WriteAsync([TestEvents.Write("never", 1)], cancelled.Token));

        using var blocker = _db.Open();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }
        var inFlight = journal.WriteAsync([TestEvents.Write("in-flight", 1)]);
        await Task.Delay(50); // let the loop take it and get stuck on the lock
        using var cts = new CancellationTokenSource();
        var waiting = journal.WriteAsync([TestEvents.Write("skipped", 1)], cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            rollback.ExecuteNonQuery();
        }

        Assert.IsType<WriteResult.Stored>((await inFlight)[0]);
        Assert.Empty(await journal.ReplayAllAsync("never"));
        Assert.Empty(await journal.ReplayAllAsync("skipped"));
        // The journal goes on.
        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(TestEvents.Write("after", 1)));
        Assert.Equal(0, journal.PendingWrites);
    }
}
