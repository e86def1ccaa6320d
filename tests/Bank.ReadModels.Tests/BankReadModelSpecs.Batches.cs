using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>
/// The handler applies a batch in memory and writes it once per account and currency: a batch of any size and mix must
/// give the read model that applying its events one at a time gives, and a batch that fails halfway must leave nothing.
/// </summary>
public abstract partial class BankReadModelSpecs
{
    /// <summary>Several events of each account in a row, accounts of three currencies, opened and closed within the history.</summary>
    private async Task<long> WriteMixedHistoryAsync(bool afterTheHistory = false)
    {
        if (!afterTheHistory) await WriteHistoryAsync();
        await Writer.SendAllAsync(
        [
            Writer.Open("m-usd", currency: "USD", initialDeposit: 3m),
            Writer.Deposit("m-usd", 0.07m),
            Writer.Withdraw("m-usd", 3.07m),
            Writer.Close("m-usd"),
            Writer.Deposit("h-1", 2.5m),
            Writer.Deposit("h-3", 0.25m),
            Writer.Deposit("h-1", 0.01m),
            Writer.Withdraw("h-3", 0.5m),
            Writer.Open("m-chf", currency: "CHF"),
        ]);
        return await Writer.DepositAsync("m-chf", 9.99m);
    }

    private async Task<List<EventEnvelope>> AllEventsAsync()
    {
        var events = await Side.ReadJournal.CurrentEventsByTag(BankReadModel.AccountTag, Offset.NoOffset())
            .RunWith(Sink.Seq<EventEnvelope>(), Side.System.Materializer());
        return [.. events];
    }

    /// <summary>The handler on its own, one transaction per batch of <paramref name="batchSize"/>, from an empty read model.</summary>
    private async Task<IReadOnlyList<string>> ApplyInBatchesAsync(IReadOnlyList<EventEnvelope> events, int batchSize)
    {
        var handler = new BankAccountsHandler(Side.Database);
        await Side.Database.InTransactionAsync(handler.ResetAsync, CancellationToken.None);
        foreach (var batch in events.Chunk(batchSize))
            await Side.Database.InTransactionAsync((session, ct) => handler.HandleAsync(session, batch, ct), CancellationToken.None);
        return await ReadModelTables.DumpAsync(Side.Database);
    }

    /// <summary>The mixed history's events (tables made, projection not running) and the read model they give one at a time.</summary>
    private async Task<(List<EventEnvelope> Events, IReadOnlyList<string> OneByOne)> MixedHistoryOneEventAtATimeAsync()
    {
        await WriteMixedHistoryAsync();
        await Side.Projection.InitializeAsync();
        var events = await AllEventsAsync();
        return (events, await ApplyInBatchesAsync(events, 1));
    }

    [Fact]
    public async Task A_batch_mixing_several_events_of_an_account_and_several_currencies_gives_the_read_model_of_one_event_at_a_time()
    {
        var highest = await WriteMixedHistoryAsync();
        await Side.Projection.InitializeAsync(); // the tables, without running the projection
        var events = await AllEventsAsync();
        Assert.Equal(highest, ProjectionSource.OrderingOf(events[^1]));

        var oneByOne = await ApplyInBatchesAsync(events, 1);
        Assert.Equal(oneByOne, await ApplyInBatchesAsync(events, events.Count));
        Assert.Equal(oneByOne, await ApplyInBatchesAsync(events, 7));

        var totals = await Queries.GetTotalsAsync();
        Assert.Equal(["CHF", "EUR", "USD"], totals.Currencies.Select(c => c.Currency));
        Assert.Equal(new CurrencyTotals("USD", 0, 1, 0m, 3.07m, 3.07m), totals.For("USD"));
        Assert.Equal(Writer.State("h-1").Balance, (await Queries.GetAccountAsync("h-1"))!.Balance);
    }

    [Fact]
    public async Task A_batch_that_overlaps_events_applied_before_applies_only_the_new_ones()
    {
        var highest = await WriteMixedHistoryAsync();
        await Side.Projection.InitializeAsync();
        var events = await AllEventsAsync();
        var expected = await ApplyInBatchesAsync(events, 1);

        // The first half once, then everything in one batch: the first half must not count twice.
        await ApplyInBatchesAsync(events.Take(events.Count / 2).ToList(), events.Count);
        var handler = new BankAccountsHandler(Side.Database);
        await Side.Database.InTransactionAsync((session, ct) => handler.HandleAsync(session, events, ct), CancellationToken.None);

        Assert.Equal(expected, await ReadModelTables.DumpAsync(Side.Database));
        Assert.Equal(highest, ProjectionSource.OrderingOf(events[^1]));
    }

    [Fact]
    public async Task Versions_read_for_part_of_a_batch_do_not_stand_in_for_the_accounts_they_did_not_cover()
    {
        var (events, expected) = await MixedHistoryOneEventAtATimeAsync();

        // Every account is in the read model at some version; the versions are then asked for the first account's events
        // only, and the whole history is applied in the same transaction (as the projection does after its hole check).
        await ApplyInBatchesAsync([.. events.Take(events.Count - 4)], 3);
        var handler = new BankAccountsHandler(Side.Database);
        var firstAccount = events[0].PersistenceId;
        await Side.Database.InTransactionAsync(async (session, ct) =>
        {
            var applied = await handler.AppliedSequenceNrsAsync(session, [.. events.Where(e => e.PersistenceId == firstAccount)], ct);
            Assert.Equal(new[] { firstAccount }, applied!.Keys);
            await handler.HandleAsync(session, events, ct);
        }, CancellationToken.None);

        Assert.Equal(expected, await ReadModelTables.DumpAsync(Side.Database));
    }

    [Fact]
    public async Task Versions_read_in_one_transaction_are_not_used_by_the_next()
    {
        var (events, expected) = await MixedHistoryOneEventAtATimeAsync();

        await ApplyInBatchesAsync([.. events.Take(events.Count / 2)], events.Count);
        var handler = new BankAccountsHandler(Side.Database);
        await Side.Database.InTransactionAsync((session, ct) => handler.AppliedSequenceNrsAsync(session, events, ct), CancellationToken.None);
        // Another transaction moves the accounts on; the versions read above are stale now.
        await Side.Database.InTransactionAsync((session, ct) => new BankAccountsHandler(Side.Database).HandleAsync(session,
            [.. events.Take(events.Count * 3 / 4)], ct), CancellationToken.None);
        await Side.Database.InTransactionAsync((session, ct) => handler.HandleAsync(session, events, ct), CancellationToken.None);

        Assert.Equal(expected, await ReadModelTables.DumpAsync(Side.Database));
    }

    [Fact]
    public async Task A_batch_that_fails_after_its_writes_leaves_offset_and_read_model_as_before_and_the_retry_applies_each_event_once()
    {
        var first = await WriteHistoryAsync();
        await ProjectedAsync(first);
        await Side.Projection.StopAsync();
        var highest = await WriteMixedHistoryAsync(afterTheHistory: true);

        // The restarted projection catches up in one batch; its first attempt writes everything, then fails before the commit.
        var failing = new FailingOnceHandler(new BankAccountsHandler(Side.Database));
        var restarted = new Projection(BankReadModel.ProjectionName, Side.System, ProjectionSource.EventsByTag(Side.ReadJournal, BankReadModel.AccountTag),
            failing, Side.Database, ReadSideOptions.FastSettings);
        await using (restarted)
        {
            await restarted.StartAsync();
            await ReadSide.CaughtUpToAsync(restarted, highest);

            Assert.Equal(1, failing.Failures);
            Assert.True(failing.FailedBatch > 1, $"the failed batch had {failing.FailedBatch} events");
            Assert.Equal(1, restarted.Status.Restarts);
            var stored = await Side.Database.ReadAsync((session, ct) => session.ScalarAsync(
                $"SELECT last_offset FROM {session.Table(ProjectionDatabase.OffsetTable)} WHERE name = @name", ct,
                ("name", BankReadModel.ProjectionName)), CancellationToken.None);
            Assert.Equal(highest, Convert.ToInt64(stored, System.Globalization.CultureInfo.InvariantCulture));
        }

        // What the same events give applied one at a time (the projection is stopped: the handler on its own).
        var projected = await ReadModelTables.DumpAsync(Side.Database);
        Assert.Equal(await ApplyInBatchesAsync(await AllEventsAsync(), 1), projected);
    }

    /// <summary>Runs the real handler, then throws once after it wrote a batch of more than one event (as a crash before the commit would).</summary>
    private sealed class FailingOnceHandler(IProjectionHandler inner) : IProjectionHandler
    {
        public int Failures { get; private set; }

        public int FailedBatch { get; private set; }

        public Task InitializeAsync(ProjectionSession session, CancellationToken cancellationToken) => inner.InitializeAsync(session, cancellationToken);

        public Task ResetAsync(ProjectionSession session, CancellationToken cancellationToken) => inner.ResetAsync(session, cancellationToken);

        public Task<IReadOnlyDictionary<string, long>?> AppliedSequenceNrsAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events,
            CancellationToken cancellationToken) => inner.AppliedSequenceNrsAsync(session, events, cancellationToken);

        public async Task HandleAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
        {
            await inner.HandleAsync(session, events, cancellationToken);
            if (Failures > 0 || events.Count < 2) return;
            Failures++;
            FailedBatch = events.Count;
            throw new InvalidOperationException("Injected failure after the batch's writes, before its commit.");
        }
    }
}
