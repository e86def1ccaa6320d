using Akka.Streams;
using Akka.Streams.Dsl;
using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>
/// min-batch-interval: once caught up, the projection gathers what arrives during the pause into one transaction; while
/// behind, it never pauses.
/// </summary>
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

    [Fact]
    public async Task A_projection_behind_by_more_than_a_batch_does_not_pause_after_batches_that_are_not_full()
    {
        // 80 events, then 30 more: a journal the projection starts behind, by more than a batch until it nears the end.
        var (firstPart, _) = await WriteSomeAsync(accounts: 8, depositsEach: 8);
        var rest = new List<Bank.Domain.AccountCommand>();
        for (var i = 0; i < 30; i++) rest.Add(Writer.Deposit("p-0", 0.25m));
        await Writer.SendAllAsync(rest);

        // The read journal's pages hold fewer events than a batch (as they may in a rebuild); each batch is written before
        // the next page arrives, so no batch is full.
        var settings = ReadSideOptions.FastSettings with { MaxBatchSize = 20, MinBatchInterval = TimeSpan.FromSeconds(10) };
        var source = new ProjectionSource(BankReadModel.AccountTag,
            offset => Side.ReadJournal.EventsByTag(BankReadModel.AccountTag, Akka.Persistence.Query.Offset.Sequence(offset))
                .Throttle(5, TimeSpan.FromMilliseconds(20), 5, ThrottleMode.Shaping),
            (persistenceId, from, to) => Side.ReadJournal.CurrentEventsByPersistenceId(persistenceId, from, to));
        FlakyHandler? recorder = null;
        await using var projection = BankProjectionWith(handler => recorder = new FlakyHandler(handler, failures: 0), settings, source: source);
        await projection.StartAsync();

        // One pause would take 10 s: the first 80 events are there in well under that, in batches mostly smaller than 20.
        await ReadSide.CaughtUpToAsync(projection, firstPart, TimeSpan.FromSeconds(5));
        Assert.Contains(recorder!.Batches, size => size < settings.MaxBatchSize);
    }
}
