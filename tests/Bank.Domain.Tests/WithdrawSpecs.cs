using static Bank.Domain.Tests.AccountSpec;

namespace Bank.Domain.Tests;

public sealed class WithdrawSpecs
{
    [Fact]
    public void A_withdrawal_takes_from_the_balance_and_reports_the_balance_after()
    {
        var withdraw = Withdrawing(30.50m);

        var state = Given(Opened(), Deposited(100m, 100m)).When(withdraw).Then(Withdrawn(30.5m, 69.5m, by: withdraw));

        Assert.Equal(69.50m, state.Balance);
    }

    [Fact]
    public void Withdrawing_the_whole_balance_leaves_exactly_zero()
    {
        var withdraw = Withdrawing(100m);

        var state = Given(Opened(), Deposited(100m, 100m)).When(withdraw).Then(Withdrawn(100m, 0m, by: withdraw));

        Assert.Equal(0m, state.Balance);
    }

    [Fact]
    public void Overdrawing_is_refused_with_a_clear_reason_and_nothing_is_produced()
    {
        var given = Given(Opened(), Deposited(100m, 100m));

        var outcome = given.When(Withdrawing(150m));

        var rejection = outcome.ThenRejected(RejectionCode.InsufficientFunds, "amount");
        Assert.Equal("Withdrawal of 150.00 exceeds the available balance of 100.00.", rejection.Reason);
        Assert.IsNotType<Decision.Accepted>(outcome.Decision);
        Assert.Equal(100m, given.State.Balance);
    }

    [Fact]
    public void Withdrawing_one_cent_more_than_the_balance_is_refused() =>
        Given(Opened(), Deposited(0.1m, 0.1m)).When(Withdrawing(0.11m)).ThenRejected(RejectionCode.InsufficientFunds, "amount");

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("0.005")]
    [InlineData("1000000000000.01")]
    public void An_invalid_withdrawal_amount_is_refused(string amount) =>
        Given(Opened(), Deposited(100m, 100m)).When(Withdrawing(Dec(amount))).ThenRejected(RejectionCode.Validation, "amount");

    [Fact]
    public void Withdrawing_from_an_account_that_was_never_opened_is_refused_as_NotFound() =>
        Given().When(Withdrawing(10m)).ThenRejected(RejectionCode.NotFound, "accountId");

    [Fact]
    public void Withdrawing_from_a_closed_account_is_refused_as_AccountClosed() =>
        Given(Opened(), Closed()).When(Withdrawing(10m)).ThenRejected(RejectionCode.AccountClosed, null);
}
