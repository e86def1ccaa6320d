using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>min-batch-interval: once caught up, the projection gathers what arrives during the pause into one transaction.</summary>
public abstract partial class ProjectionSpecs
{
    [Fact]
    public async Task Events_written_during_the_pause_after_a_batch_are_applied_in_one_transaction()
    {
        FlakyHandler? recorder = null;
        var settings = ReadSideOptions.FastSettings with { MinBatchInterval = TimeSpan.FromSeconds(3) };
        await using var projection = BankProjectionWith(handler => recorder = new FlakyHandler(handler, failures: 0), settings);
        await projection.StartAsync();
        var opened = await Writer.OpenAsync("pause-1", initialDeposit: 1m);
        await ReadSide.CaughtUpToAsync(projection, opened);
        var batchesBefore = recorder!.Batches.Count;

        // Written one after the other, each acknowledged before the next, while the projection pauses after its batch.
        long last = 0;
        for (var i = 0; i < 5; i++) last = await Writer.DepositAsync("pause-1", 1m);
        await ReadSide.CaughtUpToAsync(projection, last);

        Assert.Equal([5], recorder.Batches.Skip(batchesBefore).ToArray());
        Assert.Equal(6m, (await Side.Queries.GetAccountAsync("pause-1"))!.Balance);
    }
}
