using System.Diagnostics;
using Actors.Journal.Query.Tests.Support;
using Akka.Persistence.Query;
using Bank.Testing;
using Xunit.Abstractions;

namespace Actors.Journal.Query.Tests;

/// <summary>
/// SQLite, <c>min-read-interval = 1s</c>: wake-ups that come faster than that are gathered into fewer reads, and a query
/// that has been idle for longer still reads at once when woken.
/// </summary>
public sealed class SqliteMinReadIntervalSpecs : ReadJournalTestKit
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly SqliteTestDatabase _database;

    public SqliteMinReadIntervalSpecs(ITestOutputHelper output) : this(new SqliteTestDatabase(), output)
    {
    }

    private SqliteMinReadIntervalSpecs(SqliteTestDatabase database, ITestOutputHelper output)
        : base(database, output, "akka.persistence.query.journal.fast-sql.min-read-interval = 1s") => _database = database;

    [Fact]
    public async Task Writes_that_wake_a_live_query_faster_than_the_interval_are_read_together_and_none_is_lost()
    {
        await WriteAsync("a", "a0", "t");
        var probe = Follow(Journal.EventsByTag("t", Offset.NoOffset()));
        Assert.Equal("a0", TextOf(probe.ExpectMsg<EventEnvelope>()));
        await SettledAsync();

        var pagesBefore = Journal.PagesRead;
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= 8; i++)
        {
            await WriteAsync("a", $"a{i}", "t");
            Journal.NotifyWritten();
        }
        var writing = clock.Elapsed;
        var delivered = Enumerable.Range(1, 8).Select(_ => TextOf(probe.ExpectMsg<EventEnvelope>(TimeSpan.FromSeconds(10)))).ToList();
        var pages = Journal.PagesRead - pagesBefore;
        Out.WriteLine($"8 writes in {writing.TotalMilliseconds:F0} ms, each followed by a wake-up: {pages} reads");

        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"a{i}"), delivered);
        // At most one read per interval while the writes went on, and one for what came after the last of them.
        Assert.InRange(pages, 1, (long)(writing / Interval) + 2);
    }

    [Fact]
    public async Task A_query_idle_for_longer_than_the_interval_reads_at_once_when_woken()
    {
        await WriteAsync("a", "a0", "t");
        var probe = Follow(Journal.EventsByTag("t", Offset.NoOffset()));
        Assert.Equal("a0", TextOf(probe.ExpectMsg<EventEnvelope>()));
        await Task.Delay(Interval + TimeSpan.FromMilliseconds(300));

        await WriteAsync("a", "a1", "t");
        var clock = Stopwatch.StartNew();
        Journal.NotifyWritten();
        Assert.Equal("a1", TextOf(probe.ExpectMsg<EventEnvelope>(TimeSpan.FromSeconds(10))));
        Out.WriteLine($"wake-up to delivery: {clock.Elapsed.TotalMilliseconds:F0} ms");
        // Held back by the interval, it would have taken a whole second more.
        Assert.True(clock.Elapsed < Interval * 0.8, $"delivered {clock.Elapsed.TotalMilliseconds:F0} ms after the wake-up");
    }

    /// <summary>Until the query has gone a whole interval without reading: it is waiting for the next write.</summary>
    private async Task SettledAsync() =>
        await AwaitConditionAsync(async () =>
        {
            var pages = Journal.PagesRead;
            await Task.Delay(Interval + TimeSpan.FromMilliseconds(200));
            return Journal.PagesRead == pages;
        }, TimeSpan.FromSeconds(20));

    protected override void AfterAll()
    {
        base.AfterAll();
        _database.Dispose();
    }
}
