using Actors.Persistence.Journal;

namespace Actors.Persistence.Sql.Tests;

public sealed class SqliteBackpressureTests : IDisposable
{
    private readonly TempSqliteDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task A_full_buffer_fails_new_writes_at_once_instead_of_waiting()
    {
        await using var journal = _db.Journal(_db.Options() with { MaxBufferedWrites = 10, BusyTimeout = TimeSpan.FromSeconds(20) });
        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(TestEvents.Write("warm-up", 1)));

        // Another connection holds the write lock: the journal's write loop gets stuck behind it.
        using var blocker = _db.Open();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }

        var accepted = Enumerable.Range(1, 10).Select(i => journal.WriteAsync([TestEvents.Write($"p-{i}", 1)])).ToList();
        Assert.Equal(10, journal.PendingWrites);

        var overflow = journal.WriteAsync([TestEvents.Write("one-too-many", 1)]);
        Assert.True(overflow.IsCompleted, "a write to a full buffer must not wait");
        var failure = Assert.IsType<WriteResult.Failed>((await overflow)[0]);
        var full = Assert.IsType<JournalBufferFullException>(failure.Cause);
        Assert.Equal(10, full.MaxBufferedWrites);
        Assert.Contains("buffer is full", full.Message);
        Assert.All(accepted, t => Assert.False(t.IsCompleted));

        using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            rollback.ExecuteNonQuery();
        }

        var results = (await Task.WhenAll(accepted)).SelectMany(r => r);
        Assert.All(results, r => Assert.IsType<WriteResult.Stored>(r));
        Assert.Equal(0, journal.PendingWrites);
        // Room again: the journal takes writes as before.
        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(TestEvents.Write("one-too-many", 1)));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM journal WHERE persistence_id = 'one-too-many' AND sequence_nr > 1"));
    }

    [Fact]
    public async Task A_call_that_does_not_fit_fails_as_a_whole()
    {
        await using var journal = _db.Journal(_db.Options() with { MaxBufferedWrites = 5, BusyTimeout = TimeSpan.FromSeconds(20) });
        await journal.InitializeAsync();
        Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(TestEvents.Write("warm-up", 1)));
        using var blocker = _db.Open();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }

        var first = journal.WriteAsync([TestEvents.Write("a", 1), TestEvents.Write("a", 2), TestEvents.Write("a", 3)]);
        var second = await journal.WriteAsync([TestEvents.Write("b", 1), TestEvents.Write("b", 2), TestEvents.Write("b", 3)]);

        Assert.All(second, r => Assert.IsType<JournalBufferFullException>(Assert.IsType<WriteResult.Failed>(r).Cause));
        using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            rollback.ExecuteNonQuery();
        }
        Assert.All(await first, r => Assert.IsType<WriteResult.Stored>(r));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM journal WHERE persistence_id = 'b'"));
    }
}
