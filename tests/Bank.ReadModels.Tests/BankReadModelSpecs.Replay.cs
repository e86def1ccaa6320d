using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>Replays and rebuilds: the read model is a function of the events, however often they come by.</summary>
public abstract partial class BankReadModelSpecs
{
    /// <summary>A few accounts (EUR and CHF) with every kind of event, interleaved; returns the last offset.</summary>
    private async Task<long> WriteHistoryAsync()
    {
        var start = Writer.Now;
        for (var round = 0; round < 4; round++)
        {
            Writer.Now = start.AddMinutes(round);
            await Writer.SendAllAsync(
            [
                round == 0 ? Writer.Open("h-1", initialDeposit: 10m) : Writer.Deposit("h-1", round * 1.11m),
                round == 0 ? Writer.Open("h-2", owner: "Bob") : Writer.Deposit("h-2", 0.05m),
                round == 0 ? Writer.Open("h-3", initialDeposit: 5m, currency: "CHF") : Writer.Withdraw("h-3", 1m),
            ]);
        }
        Writer.Now = start.AddMinutes(10);
        await Writer.WithdrawAsync("h-2", 0.15m);
        await Writer.CloseAsync("h-2");
        await Writer.WithdrawAsync("h-3", 0.5m);
        await Writer.WithdrawAsync("h-1", 0.01m);
        return await Writer.OpenAsync("h-4", owner: "Cy", initialDeposit: 0.99m);
    }

    [Theory]
    [InlineData(0, 1)] // everything again
    [InlineData(1, 3)] // batches that straddle applied and new events
    [InlineData(5, 6)]
    public async Task Replaying_events_from_an_earlier_stored_offset_doubles_nothing(int numerator, int denominator)
    {
        var highest = await WriteHistoryAsync();
        await ProjectedAsync(highest);
        var before = await ReadModelTables.DumpAsync(Side.Database);
        await Side.Projection.StopAsync();

        // As after a crash between applying a batch and storing its offset (which the projection's transaction
        // prevents): the events after the stored offset are in the read model already.
        await SetStoredOffsetAsync(highest * numerator / denominator);
        var restarted = Side.NewProjection(ReadSideOptions.FastSettings with { MaxBatchSize = 4 });
        await using (restarted)
        {
            await restarted.StartAsync();
            await ReadSide.CaughtUpToAsync(restarted, highest);
            Assert.Equal(before, await ReadModelTables.DumpAsync(Side.Database));

            var deposit = await Writer.DepositAsync("h-1", 1m);
            await ReadSide.CaughtUpToAsync(restarted, deposit);
            var totals = await Queries.GetTotalsAsync();
            Assert.Equal(Writer.State("h-1").Balance, (await Queries.GetAccountAsync("h-1"))!.Balance);
            Assert.All(totals.Currencies, t => Assert.Equal(t.TotalDeposited - t.TotalWithdrawn, t.TotalBalance));
            Assert.Equal(0, restarted.Status.Restarts);
        }
    }

    [Fact]
    public async Task A_rebuild_gives_identical_tables()
    {
        var highest = await WriteHistoryAsync();
        await ProjectedAsync(highest);
        var before = await ReadModelTables.DumpAsync(Side.Database);

        var progress = await Side.Projection.RebuildAsync();
        Assert.Equal(highest, progress.TargetOffset);
        await Side.CaughtUpToAsync(highest);
        await WaitForRebuildAsync(Side.Projection);

        Assert.Equal(before, await ReadModelTables.DumpAsync(Side.Database));
        Assert.Equal(ProjectionState.Running, Side.Projection.State);
    }

    [Fact]
    public async Task A_rebuild_of_a_stopped_projection_replays_when_it_starts()
    {
        var highest = await WriteHistoryAsync();
        await ProjectedAsync(highest);
        var before = await ReadModelTables.DumpAsync(Side.Database);
        await Side.Projection.StopAsync();

        await Side.Projection.RebuildAsync();
        Assert.Empty((await Queries.ListAccountsAsync(new AccountListQuery())).Items);
        Assert.Equal(BankTotals.Zero, await Queries.GetTotalsAsync());
        await ProjectedAsync(highest);
        await WaitForRebuildAsync(Side.Projection);

        Assert.Equal(before, await ReadModelTables.DumpAsync(Side.Database));
    }

    private static async Task WaitForRebuildAsync(Projection projection)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (projection.Status.Rebuild is not { Completed: true })
        {
            Assert.True(DateTime.UtcNow < deadline, $"The rebuild did not complete: {projection.Status}");
            await Task.Delay(10);
        }
    }
}
