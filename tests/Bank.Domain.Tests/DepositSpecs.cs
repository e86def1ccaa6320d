using static Bank.Domain.Tests.AccountSpec;

namespace Bank.Domain.Tests;

public sealed class DepositSpecs
{
    [Fact]
    public void A_deposit_adds_to_the_balance_and_reports_the_balance_after()
    {
        var deposit = Depositing(40.25m);

        var state = Given(Opened(), Deposited(100m, 100m)).When(deposit).Then(Deposited(40.25m, 140.25m, by: deposit));

        Assert.Equal(140.25m, state.Balance);
        Assert.Equal(3, state.Version);
    }

    [Fact]
    public void Depositing_0_10_a_thousand_times_gives_exactly_100_00()
    {
        var state = Given(Opened()).State;
        for (var i = 0; i < 1000; i++)
        {
            var accepted = Assert.IsType<Decision.Accepted>(AccountDecider.Decide(state, Depositing(0.1m)));
            state = AccountDecider.Fold(state, accepted.Events);
        }

        Assert.Equal(100.00m, state.Balance);
        Assert.Equal("100.00", state.Balance.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1001, state.Version);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("-0.01")]
    public void A_deposit_that_is_not_positive_is_refused(string amount) =>
        Given(Opened()).When(Depositing(Dec(amount))).ThenRejected(RejectionCode.Validation, "amount");

    [Theory]
    [InlineData("0.001")]
    [InlineData("1.005")]
    [InlineData("100.123")]
    public void A_deposit_with_more_than_two_decimals_is_refused(string amount)
    {
        var rejection = Given(Opened()).When(Depositing(Dec(amount))).ThenRejected(RejectionCode.Validation, "amount");

        Assert.Contains("more than 2 decimal places", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deposit_written_with_three_decimals_but_worth_two_is_accepted()
    {
        var deposit = Depositing(1.100m);

        var state = Given(Opened()).When(deposit).Then(Deposited(1.1m, 1.1m, by: deposit));

        Assert.Equal(1.10m, state.Balance);
    }

    [Fact]
    public void The_maximum_amount_is_accepted_and_one_cent_more_is_refused()
    {
        var max = Depositing(1_000_000_000_000.00m);
        Given(Opened()).When(max).Then(Deposited(AccountRules.MaxAmount, AccountRules.MaxAmount, by: max));

        var rejection = Given(Opened()).When(Depositing(1_000_000_000_000.01m)).ThenRejected(RejectionCode.Validation, "amount");
        Assert.Equal("The amount of 1,000,000,000,000.01 exceeds the maximum of 1,000,000,000,000.00.", rejection.Reason);
    }

    [Fact]
    public void Depositing_to_an_account_that_was_never_opened_is_refused_as_NotFound() =>
        Given().When(Depositing(10m)).ThenRejected(RejectionCode.NotFound, "accountId");

    [Fact]
    public void Depositing_to_a_closed_account_is_refused_as_AccountClosed() =>
        Given(Opened(), Closed()).When(Depositing(10m)).ThenRejected(RejectionCode.AccountClosed, null);
}
