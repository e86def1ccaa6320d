using Bank.Domain;

using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>bank_totals: one row per currency, with counts and exact sums; money of different currencies is never added.</summary>
public abstract partial class BankReadModelSpecs
{
    [Fact]
    public async Task Totals_start_with_no_currency()
    {
        await Side.Projection.StartAsync();

        var totals = await Queries.GetTotalsAsync();
        Assert.Equal(BankTotals.Zero, totals);
        Assert.Empty(totals.Currencies);
        Assert.Equal((0L, 0L), (totals.AccountsOpen, totals.AccountsClosed));
    }

    [Fact]
    public async Task Totals_count_open_and_closed_accounts_and_the_money_in_and_out()
    {
        await Writer.OpenAsync("acc-1", initialDeposit: 100m);
        await Writer.OpenAsync("acc-2", initialDeposit: 20m);
        await Writer.OpenAsync("acc-3");
        await Writer.WithdrawAsync("acc-1", 30m);
        await Writer.WithdrawAsync("acc-2", 20m);
        await Writer.CloseAsync("acc-2");
        var last = await Writer.CloseAsync("acc-3");

        await ProjectedAsync(last);

        Assert.Equal(
            new BankTotals([new CurrencyTotals("EUR", AccountsOpen: 1, AccountsClosed: 2, TotalBalance: 70m, TotalDeposited: 120m, TotalWithdrawn: 50m)]),
            await Queries.GetTotalsAsync());
    }

    [Fact]
    public async Task Each_currency_has_its_own_totals_and_only_the_account_counts_add_up_across_currencies()
    {
        await Writer.OpenAsync("eur-1", initialDeposit: 100m);
        await Writer.OpenAsync("chf-1", initialDeposit: 70m, currency: "CHF");
        await Writer.OpenAsync("eur-2", initialDeposit: 5.50m);
        await Writer.OpenAsync("usd-1", currency: "USD");
        await Writer.SendAllAsync(
        [
            Writer.Deposit("chf-1", 0.05m), // one batch across currencies
            Writer.Withdraw("eur-1", 40m),
            Writer.Withdraw("chf-1", 10m),
            Writer.Withdraw("eur-2", 5.50m),
            Writer.Close("eur-2"),
        ]);
        var last = await Writer.OpenAsync("chf-2", initialDeposit: 1m, currency: "CHF");

        await ProjectedAsync(last);

        var totals = await Queries.GetTotalsAsync();
        Assert.Equal(
            [
                new CurrencyTotals("CHF", AccountsOpen: 2, AccountsClosed: 0, TotalBalance: 61.05m, TotalDeposited: 71.05m, TotalWithdrawn: 10m),
                new CurrencyTotals("EUR", AccountsOpen: 1, AccountsClosed: 1, TotalBalance: 60m, TotalDeposited: 105.50m, TotalWithdrawn: 45.50m),
                new CurrencyTotals("USD", AccountsOpen: 1, AccountsClosed: 0, TotalBalance: 0m, TotalDeposited: 0m, TotalWithdrawn: 0m),
            ],
            totals.Currencies);
        Assert.Equal((4L, 1L), (totals.AccountsOpen, totals.AccountsClosed));
        Assert.Equal(60m, totals.For("EUR").TotalBalance);
        Assert.Equal(CurrencyTotals.Zero("GBP"), totals.For("GBP"));
    }

    [Fact]
    public async Task Money_adds_up_exactly_a_thousand_dimes_are_a_hundred()
    {
        await Writer.OpenAsync("dimes");
        await Writer.SendAllAsync([.. Enumerable.Range(0, 1000).Select(_ => Writer.Deposit("dimes", 0.1m))]);
        await Writer.SendAllAsync([.. Enumerable.Range(0, 3).Select(_ => Writer.Withdraw("dimes", 0.01m))]);
        await Writer.OpenAsync("big", initialDeposit: AccountRules.MaxAmount);
        await Writer.DepositAsync("big", 0.01m);
        await Writer.OpenAsync("rappen", currency: "CHF");
        var last = await Writer.SendAllAsync([.. Enumerable.Range(0, 300).Select(_ => Writer.Deposit("rappen", 0.05m))]);

        await ProjectedAsync(last);

        Assert.Equal(99.97m, (await Queries.GetAccountAsync("dimes"))!.Balance);
        Assert.Equal(1_000_000_000_000.01m, (await Queries.GetAccountAsync("big"))!.Balance);
        var totals = await Queries.GetTotalsAsync();
        var euros = totals.For("EUR");
        Assert.Equal(1_000_000_000_100.01m, euros.TotalDeposited);
        Assert.Equal(0.03m, euros.TotalWithdrawn);
        Assert.Equal(1_000_000_000_099.98m, euros.TotalBalance);
        Assert.Equal(new CurrencyTotals("CHF", 1, 0, 15m, 15m, 0m), totals.For("CHF"));
        var hundredth = (await Queries.GetTransactionsAsync("dimes", offset: 999, limit: 1)).Items[0];
        Assert.Equal((1001L, 100.00m), (hundredth.Version, hundredth.BalanceAfter));
    }
}
