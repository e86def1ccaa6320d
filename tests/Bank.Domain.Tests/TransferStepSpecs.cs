using static Bank.Domain.Tests.AccountSpec;

namespace Bank.Domain.Tests;

/// <summary>The four steps a transfer asks of an account: each takes effect at most once, however late it is retried.</summary>
public sealed class TransferStepSpecs
{
    private const string Other = "acc-2";

    private static DebitForTransfer Debiting(Guid transfer, decimal amount, string currency = "EUR") =>
        new(Acc, transfer, Other, currency, amount, TransferRules.StepCommandId(transfer, TransferStep.Debited), T1);

    private static CreditForTransfer Crediting(Guid transfer, decimal amount, string currency = "EUR") =>
        new(Acc, transfer, Other, currency, amount, TransferRules.StepCommandId(transfer, TransferStep.Credited), T1);

    private static RefundTransfer Refunding(Guid transfer, decimal amount) =>
        new(Acc, transfer, Other, amount, TransferRules.StepCommandId(transfer, TransferStep.Refunded), T1);

    private static SettleTransfer Settling(Guid transfer, decimal amount) =>
        new(Acc, transfer, Other, amount, TransferRules.StepCommandId(transfer, TransferStep.Settled), T1);

    /// <summary>A debit as stored before settlements existed: it does not await one.</summary>
    private static TransferDebited DebitedBeforeSettlements(Guid transfer, decimal amount, decimal balanceAfter) =>
        new(Acc, transfer, Other, amount, balanceAfter, NewId(), T0);

    [Fact]
    public void A_debit_takes_the_amount_and_records_the_transfer()
    {
        var transfer = NewId();
        var debit = Debiting(transfer, 30m);

        var state = Given(Opened(), Deposited(100m, 100m)).When(debit)
            .Then(new TransferDebited(Acc, transfer, Other, 30m, 70m, debit.CommandId, T1) { AwaitsSettlement = true });

        Assert.Equal(70m, state.Balance);
        Assert.Equal(TransferStep.Debited | TransferStep.SettlementDue, state.Transfers.StepsOf(transfer));
        Assert.Equal(transfer, state.Transfers.FirstInFlight());
    }

    [Fact]
    public void A_debit_beyond_the_balance_in_another_currency_or_on_a_closed_or_unknown_account_is_refused()
    {
        Given(Opened(), Deposited(10m, 10m)).When(Debiting(NewId(), 10.01m)).ThenRejected(RejectionCode.InsufficientFunds, "amount");
        Given(Opened(), Deposited(10m, 10m)).When(Debiting(NewId(), 1m, "USD")).ThenRejected(RejectionCode.CurrencyMismatch, "currency");
        Given(Opened(), Closed()).When(Debiting(NewId(), 1m)).ThenRejected(RejectionCode.AccountClosed, null);
        Given().When(Debiting(NewId(), 1m)).ThenRejected(RejectionCode.NotFound, "accountId");
    }

    [Fact]
    public void A_credit_adds_the_amount_and_is_refused_by_a_closed_account_or_another_currency()
    {
        var transfer = NewId();
        var credit = Crediting(transfer, 12.5m);

        Given(Opened(), Deposited(1m, 1m)).When(credit).Then(new TransferCredited(Acc, transfer, Other, 12.5m, 13.5m, credit.CommandId, T1));
        Given(Opened(), Closed()).When(Crediting(NewId(), 1m)).ThenRejected(RejectionCode.AccountClosed, null);
        Given(Opened()).When(Crediting(NewId(), 1m, "GBP")).ThenRejected(RejectionCode.CurrencyMismatch, "currency");
        Given().When(Crediting(NewId(), 1m)).ThenRejected(RejectionCode.NotFound, "accountId");
    }

    [Fact]
    public void A_debit_retried_after_the_idempotency_window_rolled_past_it_is_still_a_duplicate_and_takes_nothing_more()
    {
        var transfer = NewId();
        // A window of 3: the three deposits after the debit evict it from the window; the ledger still has it.
        var given = new Scenario(AccountDecider.Fold(AccountState.Initial(Acc, 3), [Opened(), Deposited(100m, 100m)]))
            .AndAfter(Debiting(transfer, 40m))
            .AndAfter(Depositing(1m)).AndAfter(Depositing(1m)).AndAfter(Depositing(1m));
        Assert.False(given.State.ProcessedCommands.Contains(TransferRules.StepCommandId(transfer, TransferStep.Debited)));

        given.When(Debiting(transfer, 40m)).ThenDuplicate(version: 6, balance: 63m, AccountStatus.Open);
    }

    [Fact]
    public void A_credit_retried_late_is_a_duplicate_and_a_refund_comes_only_once_and_only_after_a_debit()
    {
        var credited = NewId();
        Given(Opened()).AndAfter(Crediting(credited, 5m)).AndAfter(Depositing(1m))
            .When(Crediting(credited, 5m)).ThenDuplicate(version: 3, balance: 6m, AccountStatus.Open);

        var refunded = NewId();
        var afterDebit = Given(Opened(), Deposited(50m, 50m)).AndAfter(Debiting(refunded, 20m));
        var refund = Refunding(refunded, 20m);
        var state = afterDebit.When(refund).Then(new TransferRefunded(Acc, refunded, Other, 20m, 50m, refund.CommandId, T1));
        new Scenario(state).When(Refunding(refunded, 20m)).ThenDuplicate(version: 4, balance: 50m, AccountStatus.Open);

        Given(Opened(), Deposited(50m, 50m)).When(Refunding(NewId(), 20m)).ThenRejected(RejectionCode.Validation, "transferId");
    }

    [Fact]
    public void A_source_closed_after_a_debit_from_before_settlements_still_gets_its_refund()
    {
        var transfer = NewId();
        var closedSince = Given(Opened(), Deposited(20m, 20m), DebitedBeforeSettlements(transfer, 20m, 0m)).AndAfter(Closing());
        var refund = Refunding(transfer, 20m);

        var state = closedSince.When(refund).Then(new TransferRefunded(Acc, transfer, Other, 20m, 20m, refund.CommandId, T1));

        Assert.Equal((AccountStatus.Closed, 20m), (state.Status, state.Balance));
    }

    [Fact]
    public void A_settlement_records_the_end_of_the_sources_transfer_and_moves_no_money()
    {
        var transfer = NewId();
        var settle = Settling(transfer, 30m);

        var state = Given(Opened(), Deposited(100m, 100m)).AndAfter(Debiting(transfer, 30m)).When(settle)
            .Then(new TransferSettled(Acc, transfer, Other, 30m, settle.CommandId, T1));

        Assert.Equal((70m, 4L), (state.Balance, state.Version));
        Assert.True(state.Transfers.Has(transfer, TransferStep.Settled));
        Assert.Null(state.Transfers.FirstInFlight());
    }

    [Fact]
    public void Settling_a_transfer_the_account_never_debited_or_got_back_is_refused()
    {
        Given(Opened(), Deposited(50m, 50m)).When(Settling(NewId(), 20m)).ThenRejected(RejectionCode.Validation, "transferId");
        Given().When(Settling(NewId(), 20m)).ThenRejected(RejectionCode.Validation, "transferId");

        var refunded = NewId();
        Given(Opened(), Deposited(50m, 50m)).AndAfter(Debiting(refunded, 20m)).AndAfter(Refunding(refunded, 20m))
            .When(Settling(refunded, 20m)).ThenRejected(RejectionCode.Validation, "transferId");
    }

    [Fact]
    public void Refunding_a_settled_transfer_is_refused_so_its_money_is_not_given_twice()
    {
        var settled = NewId();

        Given(Opened(), Deposited(50m, 50m)).AndAfter(Debiting(settled, 20m)).AndAfter(Settling(settled, 20m))
            .When(Refunding(settled, 20m)).ThenRejected(RejectionCode.Validation, "transferId");
    }

    [Fact]
    public void A_settlement_retried_late_is_a_duplicate_and_changes_nothing()
    {
        var transfer = NewId();
        // A window of 3: the deposits after the settlement evict it from the window; the ledger still has it.
        var given = new Scenario(AccountDecider.Fold(AccountState.Initial(Acc, 3), [Opened(), Deposited(100m, 100m)]))
            .AndAfter(Debiting(transfer, 40m)).AndAfter(Settling(transfer, 40m))
            .AndAfter(Depositing(1m)).AndAfter(Depositing(1m)).AndAfter(Depositing(1m));
        Assert.False(given.State.ProcessedCommands.Contains(TransferRules.StepCommandId(transfer, TransferStep.Settled)));

        given.When(Settling(transfer, 40m)).ThenDuplicate(version: 7, balance: 63m, AccountStatus.Open);
        // Right after it, too: the account as it is.
        Given(Opened(), Deposited(100m, 100m)).AndAfter(Debiting(transfer, 40m)).AndAfter(Settling(transfer, 40m))
            .When(Settling(transfer, 40m)).ThenDuplicate(version: 4, balance: 60m, AccountStatus.Open);
    }

    [Fact]
    public void A_closed_account_can_still_be_settled_for_a_debit_from_before_settlements()
    {
        var transfer = NewId();
        var settle = Settling(transfer, 20m);

        var state = Given(Opened(), Deposited(20m, 20m), DebitedBeforeSettlements(transfer, 20m, 0m), Closed())
            .When(settle).Then(new TransferSettled(Acc, transfer, Other, 20m, settle.CommandId, T1));

        Assert.Equal((AccountStatus.Closed, 0m), (state.Status, state.Balance));
    }

    [Fact]
    public void Replaying_a_settlement_without_a_debit_or_after_a_refund_is_a_corrupt_history()
    {
        var transfer = NewId();
        var refunded = Given(Opened(), Deposited(50m, 50m)).AndAfter(Debiting(transfer, 10m)).AndAfter(Refunding(transfer, 10m)).State;

        Assert.Throws<InvalidOperationException>(() =>
            AccountDecider.Evolve(refunded, new TransferSettled(Acc, NewId(), Other, 10m, NewId(), T1)));
        Assert.Throws<InvalidOperationException>(() =>
            AccountDecider.Evolve(refunded, new TransferSettled(Acc, transfer, Other, 10m, NewId(), T1)));
    }

    [Fact]
    public void Replaying_a_second_debit_of_the_same_transfer_is_a_corrupt_history()
    {
        var transfer = NewId();
        var state = Given(Opened(), Deposited(50m, 50m)).AndAfter(Debiting(transfer, 10m)).State;

        Assert.Throws<InvalidOperationException>(() =>
            AccountDecider.Evolve(state, new TransferDebited(Acc, transfer, Other, 10m, 30m, NewId(), T1)));
        Assert.Throws<InvalidOperationException>(() =>
            AccountDecider.Evolve(state, new TransferDebited(Acc, NewId(), Other, 41m, -1m, NewId(), T1)));
    }

    [Fact]
    public void The_ledger_compares_by_value()
    {
        var id = NewId();
        var a = TransferLedger.Empty.With(id, TransferStep.Debited).With(id, TransferStep.Refunded);
        var b = TransferLedger.Of([KeyValuePair.Create(id, TransferStep.Debited | TransferStep.Refunded)]);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, TransferLedger.Empty.With(id, TransferStep.Debited));
    }
}

public sealed class TransferLedgerJsonSpecs
{
    [Fact]
    public void A_ledger_keeps_which_debits_await_a_settlement_through_json()
    {
        var transfer = Guid.NewGuid();
        var state = AccountDecider.Fold(AccountState.Initial("acc-1"), [
            new AccountOpened("acc-1", "Ann", "EUR", Guid.NewGuid(), AccountSpec.T0),
            new MoneyDeposited("acc-1", 5m, 5m, Guid.NewGuid(), AccountSpec.T0),
            new TransferDebited("acc-1", transfer, "acc-2", 5m, 0m, Guid.NewGuid(), AccountSpec.T0) { AwaitsSettlement = true }]);

        var restored = System.Text.Json.JsonSerializer.Deserialize<AccountState>(System.Text.Json.JsonSerializer.Serialize(state))!;

        Assert.Equal(state, restored);
        Assert.Equal(transfer, restored.Transfers.FirstInFlight());
    }

    [Fact]
    public void A_state_with_transfers_round_trips_through_json_with_its_ledger()
    {
        var transfer = Guid.NewGuid();
        var state = AccountDecider.Fold(AccountState.Initial("acc-1"), [
            new AccountOpened("acc-1", "Ann", "EUR", Guid.NewGuid(), AccountSpec.T0),
            new TransferCredited("acc-1", transfer, "acc-2", 5m, 5m, Guid.NewGuid(), AccountSpec.T0)]);

        var json = System.Text.Json.JsonSerializer.Serialize(state);
        var restored = System.Text.Json.JsonSerializer.Deserialize<AccountState>(json)!;

        Assert.Contains("\"Transfers\":[", json);
        Assert.Equal(state, restored);
        Assert.True(restored.Transfers.Has(transfer, TransferStep.Credited));
    }
}
