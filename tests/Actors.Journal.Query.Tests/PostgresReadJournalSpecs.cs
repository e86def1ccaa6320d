using Actors.Journal.Query.Tests.Support;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;
using Bank.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Actors.Journal.Query.Tests;

/// <summary>
/// PostgreSQL: the stock writer's inserts fire the read journal's NOTIFY trigger, which wakes live queries (no
/// in-process wake-up here); plus gap safety against transactions held open.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresReadJournalSpecs(PostgresServer server, ITestOutputHelper output)
    : ReadJournalSpec(PostgresTestDatabase.Create(server), output)
{
    private PostgresTestDatabase Postgres => (PostgresTestDatabase)Database;

    protected override void AfterCommit(Written written)
    {
    }

    [Fact]
    public async Task A_write_transaction_held_open_for_seconds_is_neither_skipped_nor_reordered_past_by_live_queries()
    {
        await WriteAsync("a", "before", "t");
        var byTag = Follow(Journal.EventsByTag("t", Offset.NoOffset()));
        var all = Follow(Journal.AllEvents(Offset.NoOffset()));
        Assert.Equal("before", TextOf(byTag.ExpectMsg<EventEnvelope>()));
        Assert.Equal("before", TextOf(all.ExpectMsg<EventEnvelope>()));

        // A writer draws an ordering and holds its transaction open...
        await using var connection = await Postgres.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var held = (await PostgresTestDatabase.InsertAsync(connection, transaction, Sys, [new RawEvent("slow", 1, new Evt("held"), "t")]))[0];

        // ...while others commit higher orderings (their NOTIFYs wake the live queries).
        var after = new List<long>();
        for (var i = 1; i <= 3; i++)
        {
            await WriteAsync($"fast{i}", $"after{i}", "t");
        }
        var current = AllOf(Journal.CurrentEventsByTag("t", Offset.NoOffset()));

        // For seconds nothing is delivered: not the later events (that would pass the held ordering for good).
        byTag.ExpectNoMsg(TimeSpan.FromSeconds(2));
        all.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        Assert.False(current.IsCompleted, "a current query must wait for the ordering in flight below its end");

        await transaction.CommitAsync();

        foreach (var probe in new[] { byTag, all })
        {
            var delivered = Enumerable.Range(0, 4).Select(_ => probe.ExpectMsg<EventEnvelope>(TimeSpan.FromSeconds(5))).ToList();
            Assert.Equal(["held", "after1", "after2", "after3"], delivered.Select(TextOf));
            Assert.Equal(held, OrderingOf(delivered[0]));
            Assert.True(delivered.Select(OrderingOf).Zip(delivered.Select(OrderingOf).Skip(1)).All(p => p.Item1 < p.Item2));
        }
        Assert.Equal(["before", "held", "after1", "after2", "after3"], (await current).Select(TextOf));
    }

    [Fact]
    public async Task A_rolled_back_write_leaves_a_gap_that_live_queries_pass_once_the_transaction_ended()
    {
        await WriteAsync("a", "before", "t");
        var byTag = Follow(Journal.EventsByTag("t", Offset.NoOffset()));
        Assert.Equal("before", TextOf(byTag.ExpectMsg<EventEnvelope>()));

        await using var connection = await Postgres.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await PostgresTestDatabase.InsertAsync(connection, transaction, Sys, [new RawEvent("doomed", 1, new Evt("rolled back"), "t")]);
            await WriteAsync("b", "after", "t");
            byTag.ExpectNoMsg(TimeSpan.FromSeconds(1));
            await transaction.RollbackAsync();
        }
        // A rollback sends no NOTIFY: the next poll, or any wake-up, finds the gap permanent.
        Journal.NotifyWritten();
        Assert.Equal("after", TextOf(byTag.ExpectMsg<EventEnvelope>(TimeSpan.FromSeconds(2))));
        byTag.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task The_triggers_are_installed_once_and_their_sql_can_be_run_again()
    {
        await WriteAsync("a", "a1");
        Assert.Single(await AllOf(Journal.CurrentAllEvents(Offset.NoOffset())));

        await using var connection = await Postgres.OpenAsync();
        for (var i = 0; i < 2; i++)
        {
            await using var again = new NpgsqlCommand(FastSqlReadJournal.PostgresTriggerSql(), connection);
            await again.ExecuteNonQueryAsync();
        }
        await using var count = new NpgsqlCommand(
            "SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'journal'::regclass AND NOT tgisinternal", connection);
        Assert.Equal("actors_journal_notify,actors_journal_xid", await count.ExecuteScalarAsync());

        // The stock journal keeps writing through them.
        await WriteAsync("a", "a2");
        Assert.Equal(2, (await AllOf(Journal.CurrentAllEvents(Offset.NoOffset()))).Count);
    }
}
