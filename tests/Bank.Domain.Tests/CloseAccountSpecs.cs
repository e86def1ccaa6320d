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

    // ---- transfers in flight: a closed account must always hold zero, so it may not close while money it gave may come back

    private const string Other = "acc-2";

    private static DebitForTransfer Debiting(Guid transfer, decimal amount) =>
        new(Acc, transfer, Other, "EUR", amount, TransferRules.StepCommandId(transfer, TransferStep.Debited), T1);

    private static SettleTransfer Settling(Guid transfer, decimal amount) =>
        new(Acc, transfer, Other, amount, TransferRules.StepCommandId(transfer, TransferStep.Settled), T1);

    private static RefundTransfer Refunding(Guid transfer, decimal amount) =>
        new(Acc, transfer, Other, amount, TransferRules.StepCommandId(transfer, TransferStep.Refunded), T1);

    [Fact]
    public void Closing_an_account_with_a_transfer_in_flight_is_refused()
    {
        var transfer = NewId();
        var emptiedByTheTransfer = Given(Opened(), Deposited(40m, 40m)).AndAfter(Debiting(transfer, 40m));

        var rejection = emptiedByTheTransfer.When(Closing()).ThenRejected(RejectionCode.TransferInFlight, null);

        Assert.Equal(0m, emptiedByTheTransfer.State.Balance);
        Assert.Equal($"Account 'acc-1' cannot be closed while its transfer {transfer} is in flight: retry once the transfer has ended.", rejection.Reason);
    }

    [Fact]
    public void Closing_an_account_whose_transfer_was_settled_is_allowed()
    {
        var transfer = NewId();
        var close = Closing();

        Given(Opened(), Deposited(40m, 40m)).AndAfter(Debiting(transfer, 40m)).AndAfter(Settling(transfer, 40m))
            .When(close).Then(Closed(by: close));
    }

    [Fact]
    public void Closing_an_account_whose_transfer_was_refunded_is_allowed_once_the_refund_is_withdrawn()
    {
        var transfer = NewId();
        var refunded = Given(Opened(), Deposited(40m, 40m)).AndAfter(Debiting(transfer, 40m)).AndAfter(Refunding(transfer, 40m));
        refunded.When(Closing()).ThenRejected(RejectionCode.BalanceNotZero, null);
        var close = Closing();

        refunded.AndAfter(Withdrawing(40m)).When(close).Then(Closed(by: close));
    }

    [Fact]
    public void Closing_an_account_is_refused_while_any_of_its_transfers_is_in_flight()
    {
        var settled = NewId();
        var pending = NewId();
        var given = Given(Opened(), Deposited(40m, 40m)).AndAfter(Debiting(settled, 15m)).AndAfter(Debiting(pending, 25m))
            .AndAfter(Settling(settled, 15m));

        var rejection = given.When(Closing()).ThenRejected(RejectionCode.TransferInFlight, null);

        Assert.Contains(pending.ToString(), rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_debit_from_before_settlements_does_not_keep_its_account_from_closing()
    {
        var oldDebit = new TransferDebited(Acc, NewId(), Other, 40m, 0m, NewId(), T0); // stored without awaitsSettlement
        var close = Closing();

        Given(Opened(), Deposited(40m, 40m), oldDebit).When(close).Then(Closed(by: close));
    }

    [Fact]
    public void Money_received_by_transfer_does_not_keep_an_account_from_closing_once_it_is_withdrawn()
    {
        var credit = new CreditForTransfer(Acc, NewId(), Other, "EUR", 10m, NewId(), T1);
        var close = Closing();

        Given(Opened()).AndAfter(credit).AndAfter(Withdrawing(10m)).When(close).Then(Closed(by: close));
    }

    [Fact]
    public void Closing_a_closed_account_is_refused_as_AccountClosed() =>
        Given(Opened(), Closed()).When(Closing()).ThenRejected(RejectionCode.AccountClosed, null);

    [Fact]
    public void Closing_an_account_that_was_never_opened_is_refused_as_NotFound() =>
        Given().When(Closing()).ThenRejected(RejectionCode.NotFound, "accountId");
}
