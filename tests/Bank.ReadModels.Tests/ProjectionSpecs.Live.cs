using System.Diagnostics;
using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>Following the journal live, and picking up again where the stored offset says.</summary>
public abstract partial class ProjectionSpecs
{
    [Fact]
    public async Task A_running_projection_applies_a_new_write_within_a_short_time()
    {
        await Side.Projection.StartAsync();

        var stopwatch = Stopwatch.StartNew();
        var ordering = await Writer.OpenAsync("live-1", initialDeposit: 3m);
        Assert.True(await Side.Projection.WaitForOffsetAsync(ordering, TimeSpan.FromSeconds(10)), Side.Projection.Status.ToString());

        // The read journal polls every 50 ms here; a second leaves room for a busy machine.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(3m, (await Side.Queries.GetAccountAsync("live-1"))!.Balance);
        Assert.Equal(ProjectionState.Running, Side.Projection.State);
    }

    [Fact]
    public async Task A_new_instance_resumes_after_the_stored_offset_and_applies_nothing_twice()
    {
        var first = await Writer.OpenAsync("r-1", initialDeposit: 10m);
        await Side.Projection.StartAsync();
        await Side.CaughtUpToAsync(first);
        await Side.Projection.StopAsync();
        Assert.Equal(ProjectionState.Stopped, Side.Projection.State);

        await Writer.DepositAsync("r-1", 5m);
        var last = await Writer.WithdrawAsync("r-1", 2.5m);

        await using var restarted = Side.NewProjection();
        await restarted.StartAsync();
        await ReadSide.CaughtUpToAsync(restarted, last);

        Assert.Equal(2, restarted.Status.EventsHandled); // only the two written while stopped
        Assert.Equal(last, restarted.Offset);
        var account = await Side.Queries.GetAccountAsync("r-1");
        Assert.Equal((12.5m, 4L), (account!.Balance, account.Version));
        Assert.Equal(new CurrencyTotals("EUR", 1, 0, 12.5m, 15m, 2.5m), (await Side.Queries.GetTotalsAsync()).For("EUR"));
    }

    [Fact]
    public async Task WaitForOffset_gives_up_after_its_timeout_and_completes_when_the_event_is_applied()
    {
        await Side.Projection.StartAsync();
        Assert.False(await Side.Projection.WaitForOffsetAsync(1, TimeSpan.FromMilliseconds(100)));

        var waiting = Side.Projection.WaitForOffsetAsync(1, TimeSpan.FromSeconds(10));
        Assert.False(waiting.IsCompleted);
        var ordering = await Writer.OpenAsync("w-1");
        Assert.Equal(1, ordering);
        Assert.True(await waiting);
        Assert.True(await Side.Projection.WaitForOffsetAsync(ordering, TimeSpan.Zero));
        await Assert.ThrowsAsync<TaskCanceledException>(() => Side.Projection.WaitForOffsetAsync(99, TimeSpan.FromSeconds(10), new CancellationToken(true)));
    }

    [Fact]
    public async Task Status_shows_the_lag_before_the_start_and_none_once_caught_up()
    {
        var (last, events) = await WriteSomeAsync();
        await Side.Projection.InitializeAsync();

        var before = await Side.Projection.GetStatusAsync();
        Assert.Equal((ProjectionState.Stopped, 0L, last, last), (before.State, before.Offset, before.HighestOffset, before.EventsBehind));

        await Side.Projection.StartAsync();
        await Side.CaughtUpToAsync(last);
        var after = await Side.Projection.GetStatusAsync();
        Assert.Equal((ProjectionState.Running, last, last, 0L, 0d), (after.State, after.Offset, after.HighestOffset, after.EventsBehind, after.SecondsBehind));
        Assert.Equal(events, after.EventsHandled);
        Assert.NotNull(after.LastEventTimestamp);
        Assert.True(after.LastEventTimestamp > DateTimeOffset.UtcNow.AddMinutes(-5) && after.LastEventTimestamp <= DateTimeOffset.UtcNow.AddMinutes(1),
            $"the journal's timestamp is now-ish: {after.LastEventTimestamp}");
        Assert.Null(after.LastError);
        Assert.Equal(0, after.PendingGaps);
    }

    [Fact]
    public async Task Status_is_caught_up_when_the_journal_ends_with_rows_of_other_tags_or_none()
    {
        var (last, _) = await WriteSomeAsync(accounts: 2, depositsEach: 1);
        var foreign = await Writer.WriteRawAsync("other-writer", ["a transfer's event", "a remembered entity"], tagged: false);
        await Side.Projection.StartAsync();
        await Side.CaughtUpToAsync(last);

        var status = await Side.Projection.GetStatusAsync();

        Assert.True(foreign > last);
        Assert.Equal((last, last, 0L), (status.Offset, status.HighestOffset, status.EventsBehind));
    }

    [Fact]
    public async Task Batches_fill_up_when_behind_and_a_single_event_goes_alone_when_idle()
    {
        var last = await Writer.OpenAsync("b-1");
        last = await Writer.SendAllAsync([.. Enumerable.Range(0, 300).Select(_ => Writer.Deposit("b-1", 1m))]);
        FlakyHandler? counting = null;
        await using var projection = BankProjectionWith(h => counting = new FlakyHandler(h, failures: 0),
            ReadSideOptions.FastSettings with { MaxBatchSize = 100 });

        await projection.StartAsync();
        await ReadSide.CaughtUpToAsync(projection, last);
        var behind = counting!.Batches.ToList();
        Assert.Equal(301, behind.Sum());
        Assert.True(behind.Max() > 1 && behind.Max() <= 100 && behind.Count < 301 / 2, $"batches: {string.Join(", ", behind)}");

        var single = await Writer.DepositAsync("b-1", 1m);
        await ReadSide.CaughtUpToAsync(projection, single);
        Assert.Equal(1, counting.Batches.Last());
        Assert.Equal(301m, (await Side.Queries.GetAccountAsync("b-1"))!.Balance);
    }

    [Fact]
    public async Task Two_instances_of_one_projection_never_apply_an_event_twice()
    {
        await using var second = Side.NewProjection();
        await Side.Projection.StartAsync();
        await second.StartAsync();

        var (last, _) = await WriteSomeAsync(accounts: 2, depositsEach: 3);
        for (var round = 0; round < 5; round++) last = await Writer.SendAllAsync([.. Enumerable.Range(0, 4).Select(i => Writer.Deposit($"p-{i % 2}", 1m))]);

        // Whichever instance commits a batch, the other fails on the offset guard and goes on from the stored offset.
        await Eventually.TrueAsync(() => Side.Projection.Offset >= last || second.Offset >= last, TimeSpan.FromSeconds(15),
            () => $"{Side.Projection.Status} / {second.Status}");
        await Side.Projection.StopAsync();
        await second.StopAsync();

        var totals = (await Side.Queries.GetTotalsAsync()).For("EUR");
        Assert.Equal(2, totals.AccountsOpen);
        Assert.Equal(Writer.State("p-0").Balance + Writer.State("p-1").Balance, totals.TotalBalance);
        Assert.Equal(Writer.State("p-0").Balance, (await Side.Queries.GetAccountAsync("p-0"))!.Balance);
        Assert.Equal(Writer.State("p-0").Version, (await Side.Queries.GetAccountAsync("p-0"))!.Version);
    }
}
