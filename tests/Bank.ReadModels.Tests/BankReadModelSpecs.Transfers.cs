using Bank.Domain;

namespace Bank.ReadModels.Tests;

/// <summary>
/// Transfers in the read model: each step is a row of the account's history (with the transfer and the counterparty),
/// each transfer that moved money a row of bank_transfer, and the totals' money never changes: it is in the balances
/// or in flight.
/// </summary>
public abstract partial class BankReadModelSpecs
{
    private DebitForTransfer Debit(string from, string to, Guid transfer, decimal amount) =>
        new(from, transfer, to, "EUR", amount, TransferRules.StepCommandId(transfer, TransferStep.Debited), Writer.Now);

    private CreditForTransfer Credit(string to, string from, Guid transfer, decimal amount) =>
        new(to, transfer, from, "EUR", amount, TransferRules.StepCommandId(transfer, TransferStep.Credited), Writer.Now);

    private RefundTransfer Refund(string from, string to, Guid transfer, decimal amount) =>
        new(from, transfer, to, amount, TransferRules.StepCommandId(transfer, TransferStep.Refunded), Writer.Now);

    private SettleTransfer Settle(string from, string to, Guid transfer, decimal amount) =>
        new(from, transfer, to, amount, TransferRules.StepCommandId(transfer, TransferStep.Settled), Writer.Now);

    [Fact]
    public async Task A_settled_source_gets_a_version_but_no_money_and_no_history_row_and_the_transfer_stays_completed()
    {
        await Writer.OpenAsync("src", initialDeposit: 100m);
        await Writer.OpenAsync("dst");
        var transfer = Guid.NewGuid();
        await Writer.SendAsync(Debit("src", "dst", transfer, 40m));
        await ProjectedAsync(await Writer.SendAsync(Credit("dst", "src", transfer, 40m)));
        var before = (await Queries.GetAccountAsync("src"))!;
        var historyBefore = await AllTransactionsAsync("src");
        var totalsBefore = (await Queries.GetTotalsAsync()).For("EUR");
        Writer.Now = Writer.Now.AddMinutes(1);

        await ProjectedAsync(await Writer.SendAsync(Settle("src", "dst", transfer, 40m)));

        var after = (await Queries.GetAccountAsync("src"))!;
        Assert.Equal((before.Version + 1, 60m, AccountStatus.Open), (after.Version, after.Balance, after.Status));
        Assert.Equal(Writer.State("src").Version, after.Version);
        Assert.Equal(Writer.Now, after.LastActivityAt); // as the account's own state has it: every event is activity
        Assert.Equal(historyBefore, await AllTransactionsAsync("src"));
        Assert.Equal(totalsBefore, (await Queries.GetTotalsAsync()).For("EUR"));
        Assert.Equal(TransferStatus.Completed, Assert.Single((await Queries.GetTransfersAsync("src")).Items).Status);

        // The next event still follows the settlement's version: a deposit after it is projected as usual.
        await ProjectedAsync(await Writer.SendAsync(new Deposit("src", 1m, Guid.NewGuid(), Writer.Now)));
        Assert.Equal((after.Version + 1, 61m), ((await Queries.GetAccountAsync("src"))!.Version, (await Queries.GetAccountAsync("src"))!.Balance));
    }

    [Fact]
    public async Task A_transfer_is_in_flight_after_its_debit_and_completed_after_its_credit_and_the_money_is_conserved()
    {
        await Writer.OpenAsync("src", initialDeposit: 100m);
        await Writer.OpenAsync("dst", initialDeposit: 1m);
        var transfer = Guid.NewGuid();

        await ProjectedAsync(await Writer.SendAsync(Debit("src", "dst", transfer, 40m)));

        var euros = (await Queries.GetTotalsAsync()).For("EUR");
        Assert.Equal((60m + 1m, 40m, 101m, 0m), (euros.TotalBalance, euros.MoneyInFlight, euros.TotalDeposited, euros.TotalWithdrawn));
        var pending = Assert.Single((await Queries.GetTransfersAsync("src")).Items);
        Assert.Equal((transfer, "src", "dst", "EUR", 40m, TransferStatus.Pending, (DateTimeOffset?)null),
            (pending.TransferId, pending.FromAccountId, pending.ToAccountId, pending.Currency, pending.Amount, pending.Status, pending.EndedAt));
        // The target sees it coming.
        Assert.Equal(TransferStatus.Pending, Assert.Single((await Queries.GetTransfersAsync("dst")).Items).Status);

        await ProjectedAsync(await Writer.SendAsync(Credit("dst", "src", transfer, 40m)));

        euros = (await Queries.GetTotalsAsync()).For("EUR");
        Assert.Equal((101m, 0m), (euros.TotalBalance, euros.MoneyInFlight));
        Assert.Equal((60m, 41m), ((await Queries.GetAccountAsync("src"))!.Balance, (await Queries.GetAccountAsync("dst"))!.Balance));
        foreach (var account in new[] { "src", "dst" })
        {
            var listed = Assert.Single((await Queries.GetTransfersAsync(account)).Items);
            Assert.Equal((TransferStatus.Completed, Writer.Now), (listed.Status, listed.EndedAt));
        }
        var outgoing = (await AllTransactionsAsync("src")).Last();
        Assert.Equal((TransactionKind.TransferOut, 40m, 60m, transfer, "dst"),
            (outgoing.Kind, outgoing.Amount, outgoing.BalanceAfter, outgoing.TransferId, outgoing.Counterparty));
        var incoming = (await AllTransactionsAsync("dst")).Last();
        Assert.Equal((TransactionKind.TransferIn, 40m, 41m, transfer, "src"),
            (incoming.Kind, incoming.Amount, incoming.BalanceAfter, incoming.TransferId, incoming.Counterparty));
        Assert.Null((await AllTransactionsAsync("dst"))[0].TransferId);
    }

    [Fact]
    public async Task A_refunded_transfer_is_failed_and_gives_the_source_its_balance_back()
    {
        await Writer.OpenAsync("src", initialDeposit: 50m);
        var transfer = Guid.NewGuid();

        await Writer.SendAsync(Debit("src", "gone", transfer, 20m));
        await ProjectedAsync(await Writer.SendAsync(Refund("src", "gone", transfer, 20m)));

        Assert.Equal([TransactionKind.Deposit, TransactionKind.TransferOut, TransactionKind.TransferRefund], (await AllTransactionsAsync("src")).Select(t => t.Kind));
        Assert.Equal([50m, 30m, 50m], (await AllTransactionsAsync("src")).Select(t => t.BalanceAfter));
        Assert.Equal(TransferStatus.Failed, Assert.Single((await Queries.GetTransfersAsync("src")).Items).Status);
        var euros = (await Queries.GetTotalsAsync()).For("EUR");
        Assert.Equal((50m, 0m), (euros.TotalBalance, euros.MoneyInFlight));
    }

    [Fact]
    public async Task Many_transfers_in_one_batch_are_projected_in_order_and_listed_oldest_first()
    {
        await Writer.OpenAsync("a", initialDeposit: 10m);
        await Writer.OpenAsync("b", initialDeposit: 10m);
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToArray();
        var commands = new List<AccountCommand>();
        for (var i = 0; i < ids.Length; i++)
        {
            var (from, to) = i % 2 == 0 ? ("a", "b") : ("b", "a");
            commands.Add(Debit(from, to, ids[i], 1m));
            commands.Add(Credit(to, from, ids[i], 1m));
        }

        await ProjectedAsync(await Writer.SendAllAsync(commands));

        Assert.Equal(ids, (await Queries.GetTransfersAsync("a")).Items.Select(t => t.TransferId));
        Assert.All((await Queries.GetTransfersAsync("b", offset: 15, limit: 10)).Items, t => Assert.Equal(TransferStatus.Completed, t.Status));
        Assert.Equal(5, (await Queries.GetTransfersAsync("b", offset: 15, limit: 10)).Items.Count);
        var euros = (await Queries.GetTotalsAsync()).For("EUR");
        Assert.Equal((20m, 0m), (euros.TotalBalance, euros.MoneyInFlight));
        Assert.Equal(10m, (await Queries.GetAccountAsync("a"))!.Balance);
    }
}
