using static Bank.Domain.Tests.AccountSpec;

namespace Bank.Domain.Tests;

public sealed class CloseAccountSpecs
{
    [Fact]
    public void An_account_at_zero_balance_closes_with_a_final_balance_of_zero()
    {
        var close = Closing();

        var state = Given(Opened()).When(close).Then(Closed(by: close));

        Assert.Equal(AccountStatus.Closed, state.Status);
    }

    [Fact]
    public void An_account_emptied_by_withdrawals_can_be_closed()
    {
        var close = Closing();

        Given(Opened(), Deposited(80m, 80m), Withdrawn(80m, 0m)).When(close).Then(Closed(by: close));
    }

    [Fact]
    public void Closing_with_money_left_is_refused_as_BalanceNotZero()
    {
        var rejection = Given(Opened(), Deposited(0.01m, 0.01m)).When(Closing()).ThenRejected(RejectionCode.BalanceNotZero, null);

        Assert.Equal("Account 'acc-1' can only be closed at a zero balance, but its balance is 0.01.", rejection.Reason);
    }

    [Fact]
    public void Closing_a_closed_account_is_refused_as_AccountClosed() =>
        Given(Opened(), Closed()).When(Closing()).ThenRejected(RejectionCode.AccountClosed, null);

    [Fact]
    public void Closing_an_account_that_was_never_opened_is_refused_as_NotFound() =>
        Given().When(Closing()).ThenRejected(RejectionCode.NotFound, "accountId");
}
