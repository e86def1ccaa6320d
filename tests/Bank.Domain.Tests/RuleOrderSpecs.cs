using static Bank.Domain.Tests.AccountSpec;

namespace Bank.Domain.Tests;

/// <summary>Rules are checked in order: idempotency, existence/status, field validation, business rules.</summary>
public sealed class RuleOrderSpecs
{
    [Fact]
    public void Idempotency_comes_before_status_a_repeated_close_is_a_duplicate_not_AccountClosed()
    {
        var close = Closing();
        var closed = Given(Opened()).AndAfter(close);

        closed.When(close).ThenDuplicate(version: 2, balance: 0m, AccountStatus.Closed);
    }

    [Fact]
    public void Idempotency_comes_before_status_a_conflicting_reuse_on_a_closed_account_is_a_conflict()
    {
        var close = Closing();
        var closed = Given(Opened()).AndAfter(close);

        closed.When(Depositing(5m, id: close.CommandId)).ThenRejected(RejectionCode.IdempotencyConflict, "Idempotency-Key");
    }

    [Fact]
    public void Status_comes_before_validation_an_invalid_amount_on_a_closed_account_is_AccountClosed() =>
        Given(Opened(), Closed()).When(Depositing(-5.001m)).ThenRejected(RejectionCode.AccountClosed, null);

    [Fact]
    public void Existence_comes_before_validation_an_invalid_amount_on_a_missing_account_is_NotFound() =>
        Given().When(Withdrawing(0.001m)).ThenRejected(RejectionCode.NotFound, "accountId");

    [Fact]
    public void Existence_comes_before_validation_an_invalid_open_of_an_existing_account_is_AlreadyExists() =>
        Given(Opened()).When(Opening(owner: " ", currency: "eur")).ThenRejected(RejectionCode.AlreadyExists, "accountId");

    [Fact]
    public void Validation_comes_before_business_rules_an_overdraw_with_three_decimals_is_a_validation_error() =>
        Given(Opened(), Deposited(100m, 100m)).When(Withdrawing(1000.001m)).ThenRejected(RejectionCode.Validation, "amount");

    [Fact]
    public void Open_fields_are_validated_in_order_account_id_owner_currency_initial_deposit() =>
        Given().When(Opening(owner: "", currency: "x", initialDeposit: -1m)).ThenRejected(RejectionCode.Validation, "owner");
}
