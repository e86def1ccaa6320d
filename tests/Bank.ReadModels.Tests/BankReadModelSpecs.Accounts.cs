using Bank.Domain;

using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>One account's summary row and its transactions.</summary>
public abstract partial class BankReadModelSpecs
{
    [Fact]
    public async Task An_opened_account_gets_a_summary_row_with_a_zero_balance()
    {
        var openedAt = Writer.Now;
        var offset = await Writer.OpenAsync("acc-1", owner: "Ada Lovelace", currency: "GBP");

        await ProjectedAsync(offset);

        Assert.Equal(new AccountSummary("acc-1", "Ada Lovelace", "GBP", 0m, AccountStatus.Open, 1, openedAt, openedAt),
            await Queries.GetAccountAsync("acc-1"));
        Assert.Empty((await Queries.GetTransactionsAsync("acc-1")).Items);
        Assert.Equal(new BankTotals([new CurrencyTotals("GBP", 1, 0, 0m, 0m, 0m)]), await Queries.GetTotalsAsync());
    }

    [Fact]
    public async Task An_initial_deposit_is_the_accounts_first_transaction()
    {
        var offset = await Writer.OpenAsync("acc-1", initialDeposit: 250.50m);

        await ProjectedAsync(offset);

        var summary = await Queries.GetAccountAsync("acc-1");
        Assert.Equal((250.50m, 2L), (summary!.Balance, summary.Version));
        var deposit = Assert.Single((await Queries.GetTransactionsAsync("acc-1")).Items);
        Assert.Equal(new AccountTransaction("acc-1", 2, TransactionKind.Deposit, 250.50m, 250.50m, Writer.Now, offset), deposit);
        Assert.Equal(new BankTotals([new CurrencyTotals("EUR", 1, 0, 250.50m, 250.50m, 0m)]), await Queries.GetTotalsAsync());
    }

    [Fact]
    public async Task Deposits_and_withdrawals_become_transactions_with_the_balance_after_in_version_order()
    {
        var t0 = Writer.Now;
        await Writer.OpenAsync("acc-1");
        await Writer.OpenAsync("acc-2", initialDeposit: 5m);
        Writer.Now = t0.AddMinutes(1);
        var deposited = await Writer.DepositAsync("acc-1", 100m);
        await Writer.DepositAsync("acc-2", 1m); // another account in between: offsets are the journal's, versions the account's
        Writer.Now = t0.AddMinutes(2);
        var withdrawn = await Writer.WithdrawAsync("acc-1", 30.25m);
        Writer.Now = t0.AddMinutes(3);
        var last = await Writer.DepositAsync("acc-1", 0.5m);

        await ProjectedAsync(last);

        Assert.Equal(
            [
                new AccountTransaction("acc-1", 2, TransactionKind.Deposit, 100m, 100m, t0.AddMinutes(1), deposited),
                new AccountTransaction("acc-1", 3, TransactionKind.Withdrawal, 30.25m, 69.75m, t0.AddMinutes(2), withdrawn),
                new AccountTransaction("acc-1", 4, TransactionKind.Deposit, 0.5m, 70.25m, t0.AddMinutes(3), last),
            ],
            (await Queries.GetTransactionsAsync("acc-1")).Items);
        Assert.Equal(new AccountSummary("acc-1", "Ada", "EUR", 70.25m, AccountStatus.Open, 4, t0, t0.AddMinutes(3)),
            await Queries.GetAccountAsync("acc-1"));
        Assert.Equal(new AccountSummary("acc-2", "Ada", "EUR", 6m, AccountStatus.Open, 3, t0, t0.AddMinutes(1)),
            await Queries.GetAccountAsync("acc-2"));
    }

    [Fact]
    public async Task Transactions_come_in_pages_with_the_offset_of_the_next_page()
    {
        await Writer.OpenAsync("acc-1");
        var last = await Writer.SendAllAsync([.. Enumerable.Range(1, 25).Select(i => Writer.Deposit("acc-1", i))]);
        await ProjectedAsync(last);

        var first = await Queries.GetTransactionsAsync("acc-1", offset: 0, limit: 10);
        var second = await Queries.GetTransactionsAsync("acc-1", offset: 10, limit: 10);
        var third = await Queries.GetTransactionsAsync("acc-1", offset: 20, limit: 10);

        Assert.Equal((0, 10, 10), (first.Offset, first.Limit, first.NextOffset));
        Assert.Equal(Enumerable.Range(2, 10), first.Items.Select(t => (int)t.Version));
        Assert.Equal(20, second.NextOffset);
        Assert.Equal(Enumerable.Range(12, 10), second.Items.Select(t => (int)t.Version));
        Assert.Null(third.NextOffset);
        Assert.Equal(Enumerable.Range(22, 5), third.Items.Select(t => (int)t.Version));
        Assert.Equal(Enumerable.Range(1, 25).Sum(), third.Items[^1].BalanceAfter);

        var exactlyFull = await Queries.GetTransactionsAsync("acc-1", offset: 15, limit: 10);
        Assert.Equal((10, (int?)null), (exactlyFull.Items.Count, exactlyFull.NextOffset));
        var beyond = await Queries.GetTransactionsAsync("acc-1", offset: 30, limit: 10);
        Assert.Equal((0, (int?)null), (beyond.Items.Count, beyond.NextOffset));
        Assert.Equal((await Queries.GetTransactionsAsync("acc-1")).Items, await AllTransactionsAsync("acc-1", limit: 3));
    }

    [Fact]
    public async Task Closing_an_account_marks_it_closed_and_adds_no_transaction()
    {
        var t0 = Writer.Now;
        await Writer.OpenAsync("acc-1", initialDeposit: 40m);
        await Writer.WithdrawAsync("acc-1", 40m);
        Writer.Now = t0.AddHours(1);
        var closed = await Writer.CloseAsync("acc-1");

        await ProjectedAsync(closed);

        Assert.Equal(new AccountSummary("acc-1", "Ada", "EUR", 0m, AccountStatus.Closed, 4, t0, t0.AddHours(1)),
            await Queries.GetAccountAsync("acc-1"));
        Assert.Equal(2, (await Queries.GetTransactionsAsync("acc-1")).Items.Count);
        Assert.Equal(new BankTotals([new CurrencyTotals("EUR", 0, 1, 0m, 40m, 40m)]), await Queries.GetTotalsAsync());
    }

    [Fact]
    public async Task An_unknown_account_has_no_summary_and_no_transactions()
    {
        await ProjectedAsync(await Writer.OpenAsync("acc-1", initialDeposit: 1m));

        Assert.Null(await Queries.GetAccountAsync("acc-2"));
        Assert.Null(await Queries.GetAccountAsync("ACC-1")); // ids are case-sensitive
        var page = await Queries.GetTransactionsAsync("acc-2");
        Assert.Empty(page.Items);
        Assert.Null(page.NextOffset);
    }

    [Fact]
    public async Task Events_written_while_the_projection_is_stopped_are_applied_once_when_it_starts_again()
    {
        await ProjectedAsync(await Writer.OpenAsync("acc-1", initialDeposit: 10m));
        await Side.Projection.StopAsync();

        await Writer.DepositAsync("acc-1", 5m);
        var last = await Writer.WithdrawAsync("acc-1", 2.5m);
        Assert.Equal(10m, (await Queries.GetAccountAsync("acc-1"))!.Balance);
        await ProjectedAsync(last);

        Assert.Equal((12.5m, 4L), ((await Queries.GetAccountAsync("acc-1"))!.Balance, (await Queries.GetAccountAsync("acc-1"))!.Version));
        Assert.Equal(new BankTotals([new CurrencyTotals("EUR", 1, 0, 12.5m, 15m, 2.5m)]), await Queries.GetTotalsAsync());
    }
}
