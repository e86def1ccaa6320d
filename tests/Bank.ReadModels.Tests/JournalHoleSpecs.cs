using System.Diagnostics;
using Bank.Domain;
using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.ReadModels.Tests;

/// <summary>
/// Never miss an event: on PostgreSQL an identity value is drawn at insert time but becomes visible at commit, so a
/// write transaction that stays open leaves a hole in the journal's ordering that later writes pass. Akka.Persistence.Sql's
/// read journal waits for such a hole only max-tries x query-delay (here 3 x 100 ms) and then moves past it: the live
/// EventsByTag never delivers the event. The projection must find it anyway.
/// </summary>
[Collection(PostgresProjectionCollection.Name)]
public sealed class JournalHoleSpecs(PostgresServer server, Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Clearly longer than the read journal's wait for a gap (3 x 100 ms).</summary>
    private static readonly TimeSpan HoldOpen = TimeSpan.FromSeconds(2.5);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>What the projection logged, in the test's output (read it when a scenario fails).</summary>
    private void Dump(RecordingLog log)
    {
        foreach (var line in log.All) output.WriteLine(line);
    }

    private static ReadSideOptions Options(RecordingLog log, Func<ProjectionSettings, ProjectionSettings>? tune = null) =>
        new(RefreshInterval: TimeSpan.FromMilliseconds(100), GapMaxTries: 3, Log: log,
            Settings: (tune ?? (s => s))(ReadSideOptions.FastSettings));

    [Fact]
    public async Task Projection_applies_an_event_whose_transaction_committed_after_the_read_journal_gave_up_on_its_gap()
    {
        var log = new RecordingLog();
        using var dump = new Finally(() => Dump(log));
        await using var side = await ReadSide.PostgresAsync(server, Options(log));
        await OpenAccountsAsync(side);

        var (held, ordering, stopwatch) = await HoldDepositOfXAsync(side);
        await using (held)
        {
            var passed = await OthersCommitAndTheProjectionPassesAsync(side, ordering);
            Assert.True(side.Projection.PendingGaps.Contains(ordering), $"ordering {ordering} should be a pending gap: {side.Projection.PendingGaps}");
            Assert.False(await side.Projection.WaitForOffsetAsync(ordering, TimeSpan.Zero), "read-your-writes must not see the held event as applied");
            Assert.True(await side.Projection.WaitForOffsetAsync(passed, TimeSpan.Zero));
            await HoldUntilAsync(stopwatch);
            await held.CommitAsync();
        }

        Assert.True(await side.Projection.WaitForOffsetAsync(ordering, Patience), $"X's deposit was never applied: {side.Projection.Status}");
        await AssertXHasTheHeldDepositAsync(side, ordering);
        Assert.True(side.Projection.PendingGaps.IsEmpty);
        Assert.Equal(0, side.Projection.Status.Restarts);
        Assert.Contains(log.Warnings, w => w.Contains("had skipped", StringComparison.Ordinal));
        Assert.Equal(new CurrencyTotals("EUR", 3, 0, 18m, 18m, 0m), (await side.Queries.GetTotalsAsync()).For("EUR"));
    }

    [Fact]
    public async Task Projection_fetches_an_accounts_skipped_event_when_a_later_event_of_the_account_arrives()
    {
        // No timer: only the per-account check can find the skipped event.
        var log = new RecordingLog();
        using var dump = new Finally(() => Dump(log));
        await using var side = await ReadSide.PostgresAsync(server, Options(log, s => s with
        {
            GapCheckInterval = TimeSpan.FromHours(1),
            StalledStreamTimeout = TimeSpan.FromHours(1),
        }));
        await OpenAccountsAsync(side);

        var (held, ordering, stopwatch) = await HoldDepositOfXAsync(side);
        await using (held)
        {
            await OthersCommitAndTheProjectionPassesAsync(side, ordering);
            await HoldUntilAsync(stopwatch);
            await held.CommitAsync();
        }
        Assert.Equal(10m, (await side.Queries.GetAccountAsync("x"))!.Balance); // still missing: nothing revealed it yet

        // X's next event (sequence number 4) comes through the stream; #3 must be fetched and applied before it.
        var next = new MoneyDeposited("x", 1m, 16m, Guid.NewGuid(), side.Writer.Now);
        long nextOrdering;
        await using (var write = await RawJournalTransaction.BeginAsync(side.ConnectionString))
        {
            nextOrdering = await write.InsertAsync(side.System, AccountWriterActor.PersistenceIdOf("x"), 4, next, BankReadModel.AccountTag);
            await write.CommitAsync();
        }

        await side.CaughtUpToAsync(nextOrdering, Patience);
        var x = await side.Queries.GetAccountAsync("x");
        Assert.Equal((16m, 4L), (x!.Balance, x.Version));
        Assert.Equal([(2L, 10m), (3L, 15m), (4L, 16m)], (await side.Queries.GetTransactionsAsync("x")).Items.Select(t => (t.Version, t.BalanceAfter)));
        Assert.Equal(ordering, (await side.Queries.GetTransactionsAsync("x")).Items[1].Offset);
        Assert.True(side.Projection.PendingGaps.IsEmpty, $"the backfilled event closes its gap: {side.Projection.PendingGaps}");
        Assert.Contains(log.Warnings, w => w.Contains("missing before later events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Projection_subscribes_again_when_the_read_journal_skipped_a_tagged_event_followed_only_by_events_of_other_writers()
    {
        var log = new RecordingLog();
        using var dump = new Finally(() => Dump(log));
        await using var side = await ReadSide.PostgresAsync(server, Options(log, s => s with { StalledStreamTimeout = TimeSpan.FromSeconds(1) }));
        await OpenAccountsAsync(side);

        var (held, ordering, stopwatch) = await HoldDepositOfXAsync(side);
        await using (held)
        {
            // Only an untagged event after it: the stream skips the hole without delivering anything, the offset stays below it.
            await side.Writer.WriteRawAsync("other-writer", ["not an account event"], tagged: false);
            await HoldUntilAsync(stopwatch);
            await held.CommitAsync();
        }

        Assert.True(await side.Projection.WaitForOffsetAsync(ordering, Patience), $"X's deposit was never applied: {side.Projection.Status}");
        await AssertXHasTheHeldDepositAsync(side, ordering);
        Assert.Equal(0, side.Projection.Status.Restarts);
    }

    [Fact]
    public async Task Pending_gaps_are_stored_with_the_offset_and_a_restarted_projection_still_fills_them()
    {
        var log = new RecordingLog();
        using var dump = new Finally(() => Dump(log));
        await using var side = await ReadSide.PostgresAsync(server, Options(log));
        await OpenAccountsAsync(side);

        var (held, ordering, stopwatch) = await HoldDepositOfXAsync(side);
        await using (held)
        {
            await OthersCommitAndTheProjectionPassesAsync(side, ordering);
            await side.Projection.StopAsync();
            await HoldUntilAsync(stopwatch);
            await held.CommitAsync();
        }

        // As after a restart of the host: a new instance reads the offset and the gaps stored with it.
        await using var restarted = side.NewProjection();
        await restarted.InitializeAsync();
        Assert.True(restarted.PendingGaps.Contains(ordering), $"the gap was not stored: {restarted.PendingGaps}");
        await restarted.StartAsync();

        Assert.True(await restarted.WaitForOffsetAsync(ordering, Patience), $"X's deposit was never applied: {restarted.Status}");
        await AssertXHasTheHeldDepositAsync(side, ordering);
        Assert.Equal(1, restarted.Status.EventsHandled);
    }

    [Fact]
    public async Task A_hole_left_by_a_rolled_back_write_is_given_up_with_a_warning_after_the_give_up_time()
    {
        var log = new RecordingLog();
        using var dump = new Finally(() => Dump(log));
        await using var side = await ReadSide.PostgresAsync(server, Options(log, s => s with { GapGiveUpAfter = TimeSpan.FromSeconds(1) }));
        await OpenAccountsAsync(side);

        var (held, ordering, _) = await HoldDepositOfXAsync(side);
        await using (held)
        {
            await OthersCommitAndTheProjectionPassesAsync(side, ordering);
            await held.RollbackAsync();
        }

        await Eventually.TrueAsync(() => side.Projection.PendingGaps.IsEmpty, Patience, () => $"still pending: {side.Projection.PendingGaps}");
        Assert.Contains(log.Warnings, w => w.Contains($"Gave up waiting for journal ordering(s) {ordering}..{ordering}", StringComparison.Ordinal));
        Assert.True(await side.Projection.WaitForOffsetAsync(ordering, TimeSpan.Zero));
        Assert.Equal((10m, 2L), ((await side.Queries.GetAccountAsync("x"))!.Balance, (await side.Queries.GetAccountAsync("x"))!.Version));
        Assert.Equal(0, side.Projection.Status.Restarts);
    }

    /// <summary>x (10 EUR, version 2), y and z (empty), projected.</summary>
    private static async Task OpenAccountsAsync(ReadSide side)
    {
        await side.Writer.OpenAsync("x", initialDeposit: 10m);
        await side.Writer.OpenAsync("y");
        var opened = await side.Writer.OpenAsync("z");
        await side.Projection.StartAsync();
        await side.CaughtUpToAsync(opened);
    }

    /// <summary>X's deposit of 5 (version 3) inserted as the journal would, its transaction left open.</summary>
    private static async Task<(RawJournalTransaction Held, long Ordering, Stopwatch Since)> HoldDepositOfXAsync(ReadSide side)
    {
        var deposit = new MoneyDeposited("x", 5m, 15m, Guid.NewGuid(), side.Writer.Now);
        var held = await RawJournalTransaction.BeginAsync(side.ConnectionString);
        var since = Stopwatch.StartNew();
        var ordering = await held.InsertAsync(side.System, AccountWriterActor.PersistenceIdOf("x"), 3, deposit, BankReadModel.AccountTag);
        return (held, ordering, since);
    }

    /// <summary>Deposits on y and z commit after the held insert; the projection applies them (its offset passes the hole).</summary>
    private static async Task<long> OthersCommitAndTheProjectionPassesAsync(ReadSide side, long heldOrdering)
    {
        await side.Writer.DepositAsync("y", 1m);
        var last = await side.Writer.DepositAsync("z", 2m);
        Assert.True(last > heldOrdering);
        await side.CaughtUpToAsync(last);
        Assert.True(side.Projection.Offset > heldOrdering);
        Assert.Null(await side.Queries.GetTransactionsAsync("x", 1, 1) is { Items.Count: > 0 } page ? page.Items[0] : null);
        return last;
    }

    private static async Task HoldUntilAsync(Stopwatch since)
    {
        var left = HoldOpen - since.Elapsed;
        if (left > TimeSpan.Zero) await Task.Delay(left); // the scenario's timing (the transaction stays open), not an assertion
    }

    private static async Task AssertXHasTheHeldDepositAsync(ReadSide side, long ordering)
    {
        var x = await side.Queries.GetAccountAsync("x");
        Assert.Equal((15m, 3L), (x!.Balance, x.Version));
        var deposit = Assert.Single((await side.Queries.GetTransactionsAsync("x")).Items, t => t.Version == 3);
        Assert.Equal((5m, 15m, ordering), (deposit.Amount, deposit.BalanceAfter, deposit.Offset));
    }

    private sealed class Finally(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
