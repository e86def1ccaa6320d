namespace Bank.Domain.Tests;

/// <summary>Given/when/then of the transfer process: requested, debited, credited or refunded, and its end.</summary>
public sealed class TransferProcessSpecs
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = T0.AddMinutes(1);
    private static readonly Guid Id = Guid.Parse("7f1c3c7e-4a53-4d9e-9b53-0f2f0b1a2c3d");

    private static RequestTransfer Request(decimal amount = 25m, string from = "src", string to = "dst") => new(Id, from, to, amount, T0);

    private static AccountState Source(AccountStatus status = AccountStatus.Open)
    {
        var opened = new AccountOpened("src", "Ann", "EUR", Guid.NewGuid(), T0);
        var history = status switch
        {
            AccountStatus.NotOpened => Array.Empty<AccountEvent>(),
            AccountStatus.Closed => [opened, new AccountClosed("src", 0m, Guid.NewGuid(), T0)],
            _ => [opened],
        };
        return AccountDecider.Fold(AccountState.Initial("src"), history);
    }

    private static TransferState Given(params TransferEvent[] history) => TransferDecider.Fold(TransferState.Initial(Id), history);

    private static TransferRequested Requested(decimal amount = 25m) => new(Id, "src", "dst", "EUR", amount, T0);

    [Fact]
    public void A_valid_request_with_an_open_source_starts_in_the_sources_currency_and_asks_the_source_for_the_debit()
    {
        var decision = TransferDecider.Decide(TransferState.Initial(Id), Request(), Source());

        var accepted = Assert.IsType<TransferDecision.Accepted>(decision);
        Assert.Equal([Requested()], accepted.Events);
        var state = TransferDecider.Fold(TransferState.Initial(Id), accepted.Events);
        Assert.Equal((TransferStatus.Pending, 0m), (state.Status, state.InFlight));
        var debit = Assert.IsType<DebitForTransfer>(TransferDecider.NextStep(state, T1));
        Assert.Equal(("src", Id, "dst", "EUR", 25m), (debit.AccountId, debit.TransferId, debit.CounterpartyId, debit.Currency, debit.Amount));
        Assert.Equal(TransferRules.StepCommandId(Id, TransferStep.Debited), debit.CommandId);
    }

    [Theory]
    [InlineData(AccountStatus.NotOpened, RejectionCode.NotFound)]
    [InlineData(AccountStatus.Closed, RejectionCode.AccountClosed)]
    public void An_unknown_or_closed_source_refuses_the_transfer_before_anything_is_persisted(AccountStatus status, RejectionCode code)
    {
        var rejected = Assert.IsType<TransferDecision.Rejected>(TransferDecider.Decide(TransferState.Initial(Id), Request(), Source(status)));

        Assert.Equal((code, "fromAccountId"), (rejected.Rejection.Code, rejected.Rejection.Field));
    }

    [Theory]
    [InlineData("src", "src", 1, "toAccountId")]
    [InlineData("src", "dst", 0, "amount")]
    [InlineData("src", "dst", -3, "amount")]
    [InlineData("src", "dst", 0.001, "amount")]
    [InlineData("bad id", "dst", 1, "fromAccountId")]
    public void Invalid_input_is_refused_without_asking_the_source(string from, string to, decimal amount, string field)
    {
        var rejected = Assert.IsType<TransferDecision.Rejected>(TransferDecider.Check(TransferState.Initial(Id), Request(amount, from, to)));

        Assert.Equal((RejectionCode.Validation, field), (rejected.Rejection.Code, rejected.Rejection.Field));
    }

    [Fact]
    public void Asking_again_for_the_same_transfer_is_a_duplicate_and_for_a_different_one_under_its_id_a_conflict()
    {
        var state = Given(Requested(), new TransferSourceDebited(Id, T1));

        Assert.IsType<TransferDecision.Duplicate>(TransferDecider.Check(state, Request()));
        var conflict = Assert.IsType<TransferDecision.Rejected>(TransferDecider.Check(state, Request(amount: 26m)));
        Assert.Equal((RejectionCode.IdempotencyConflict, "transferId"), (conflict.Rejection.Code, conflict.Rejection.Field));
    }

    [Fact]
    public void Debited_then_credited_settles_the_source_then_completes_and_nothing_is_left_to_do()
    {
        var debited = Given(Requested());
        Assert.Equal([new TransferSourceDebited(Id, T1)], TransferDecider.OnStep(debited, new StepOutcome.Done(), T1));

        var crediting = Given(Requested(), new TransferSourceDebited(Id, T1));
        Assert.Equal(25m, crediting.InFlight);
        var credit = Assert.IsType<CreditForTransfer>(TransferDecider.NextStep(crediting, T1));
        Assert.Equal(("dst", "src", 25m), (credit.AccountId, credit.CounterpartyId, credit.Amount));

        var credited = TransferDecider.OnStep(crediting, new StepOutcome.Done(), T1);
        Assert.Equal([new TransferTargetCredited(Id, T1)], credited);
        var settling = TransferDecider.Fold(crediting, credited);
        // The target has the money: nothing is in flight, but the transfer has not ended until its source knows.
        Assert.Equal((TransferStage.Settling, TransferStatus.Pending, 0m, (DateTimeOffset?)null),
            (settling.Stage, settling.Status, settling.InFlight, settling.EndedAt));
        var settle = Assert.IsType<SettleTransfer>(TransferDecider.NextStep(settling, T1));
        Assert.Equal(("src", Id, "dst", 25m, TransferRules.StepCommandId(Id, TransferStep.Settled)),
            (settle.AccountId, settle.TransferId, settle.CounterpartyId, settle.Amount, settle.CommandId));

        var events = TransferDecider.OnStep(settling, new StepOutcome.Done(), T1);
        Assert.Equal([new TransferCompleted(Id, T1)], events);
        var completed = TransferDecider.Fold(settling, events);
        Assert.Equal((TransferStatus.Completed, 0m, T1), (completed.Status, completed.InFlight, completed.EndedAt));
        Assert.Null(TransferDecider.NextStep(completed, T1));
    }

    [Fact]
    public void A_transfer_completed_before_settlements_existed_still_folds_to_completed()
    {
        var completed = Given(Requested(), new TransferSourceDebited(Id, T0), new TransferCompleted(Id, T1));

        Assert.Equal((TransferStage.Completed, TransferStatus.Completed, 0m, T1, 3L),
            (completed.Stage, completed.Status, completed.InFlight, completed.EndedAt, completed.Version));
        Assert.Null(TransferDecider.NextStep(completed, T1));
    }

    [Fact]
    public void A_refused_settlement_records_nothing_so_the_process_retries_it()
    {
        var settling = Given(Requested(), new TransferSourceDebited(Id, T1), new TransferTargetCredited(Id, T1));

        Assert.Empty(TransferDecider.OnStep(settling, new StepOutcome.Refused(new Rejection(RejectionCode.Validation, "transferId", "?")), T1));
        Assert.IsType<SettleTransfer>(TransferDecider.NextStep(settling, T1));
    }

    [Fact]
    public void A_refused_debit_fails_the_transfer_with_the_sources_reason_and_moves_nothing()
    {
        var refusal = new Rejection(RejectionCode.InsufficientFunds, "amount", "Not enough.");

        var events = TransferDecider.OnStep(Given(Requested()), new StepOutcome.Refused(refusal), T1);

        Assert.Equal([new TransferFailed(Id, RejectionCode.InsufficientFunds, "Not enough.", T1)], events);
        Assert.Null(TransferDecider.NextStep(TransferDecider.Fold(Given(Requested()), events), T1));
    }

    [Fact]
    public void A_refused_credit_refunds_the_source_and_then_fails_with_the_targets_reason()
    {
        var crediting = Given(Requested(), new TransferSourceDebited(Id, T1));
        var refusal = new Rejection(RejectionCode.AccountClosed, null, "Account 'dst' is closed.");

        var refunding = TransferDecider.Fold(crediting, TransferDecider.OnStep(crediting, new StepOutcome.Refused(refusal), T1));
        Assert.Equal((TransferStage.Refunding, TransferStatus.Pending, 25m), (refunding.Stage, refunding.Status, refunding.InFlight));
        var refund = Assert.IsType<RefundTransfer>(TransferDecider.NextStep(refunding, T1));
        Assert.Equal(("src", Id, 25m), (refund.AccountId, refund.TransferId, refund.Amount));

        var failed = TransferDecider.Fold(refunding, TransferDecider.OnStep(refunding, new StepOutcome.Done(), T1));
        Assert.Equal((TransferStatus.Failed, RejectionCode.AccountClosed, "Account 'dst' is closed.", 0m),
            (failed.Status, failed.Code, failed.Reason, failed.InFlight));
    }

    [Fact]
    public void A_refused_refund_records_nothing_so_the_process_retries_it()
    {
        var refunding = Given(Requested(), new TransferSourceDebited(Id, T1),
            new TransferCreditRefused(Id, RejectionCode.NotFound, "Account 'dst' does not exist.", T1));

        Assert.Empty(TransferDecider.OnStep(refunding, new StepOutcome.Refused(new Rejection(RejectionCode.Validation, "transferId", "?")), T1));
    }

    [Fact]
    public void An_event_out_of_order_is_a_corrupt_history()
    {
        Assert.Throws<InvalidOperationException>(() => Given(new TransferCompleted(Id, T1)));
        Assert.Throws<InvalidOperationException>(() => Given(Requested(), new TransferCompleted(Id, T1)));
        Assert.Throws<InvalidOperationException>(() => Given(Requested(), new TransferSourceDebited(Id, T1), new TransferFailed(Id, RejectionCode.NotFound, "?", T1)));
        Assert.Throws<InvalidOperationException>(() => Given(Requested(), new TransferTargetCredited(Id, T1)));
        Assert.Throws<InvalidOperationException>(() => Given(Requested(), new TransferSourceDebited(Id, T1), new TransferTargetCredited(Id, T1),
            new TransferCreditRefused(Id, RejectionCode.NotFound, "?", T1)));
    }

    [Fact]
    public void Step_command_ids_are_stable_and_differ_by_step()
    {
        var debit = TransferRules.StepCommandId(Id, TransferStep.Debited);

        Assert.Equal(debit, TransferRules.StepCommandId(Id, TransferStep.Debited));
        Assert.NotEqual(debit, TransferRules.StepCommandId(Id, TransferStep.Credited));
        Assert.NotEqual(debit, TransferRules.StepCommandId(Guid.NewGuid(), TransferStep.Debited));
    }

    // ------------------------------------------------------------------ who may move money (issue 14)

    private static readonly Issuer Ann = new("Ann", Role.Customer);
    private static readonly Issuer Mallory = new("Mallory", Role.Customer);

    [Fact]
    public void A_customer_moves_money_only_out_of_its_own_account_and_someone_elses_reads_as_unknown()
    {
        var rejected = Assert.IsType<TransferDecision.Rejected>(
            TransferDecider.Decide(TransferState.Initial(Id), Request() with { IssuedBy = Mallory }, Source()));

        Assert.Equal((RejectionCode.NotFound, "fromAccountId", "Account 'src' does not exist."),
            (rejected.Rejection.Code, rejected.Rejection.Field, rejected.Rejection.Reason));
        Assert.IsType<TransferDecision.Accepted>(TransferDecider.Decide(TransferState.Initial(Id), Request() with { IssuedBy = Ann }, Source()));
    }

    [Fact]
    public void Every_step_is_issued_in_the_name_of_whoever_asked_and_only_the_debit_is_held_to_the_owner()
    {
        var accepted = Assert.IsType<TransferDecision.Accepted>(
            TransferDecider.Decide(TransferState.Initial(Id), Request() with { IssuedBy = Ann }, Source()));
        var requested = TransferDecider.Fold(TransferState.Initial(Id), accepted.Events);
        var debited = TransferDecider.Evolve(requested, new TransferSourceDebited(Id, T1));
        var refunding = TransferDecider.Evolve(debited, new TransferCreditRefused(Id, RejectionCode.AccountClosed, "closed", T1));
        var settling = TransferDecider.Evolve(debited, new TransferTargetCredited(Id, T1));

        var steps = new[] { requested, debited, refunding, settling }.Select(state => TransferDecider.NextStep(state, T1)!).ToArray();

        Assert.All(steps, step => Assert.Equal(Ann, step.IssuedBy));
        // Bob's account takes Ann's credit, but would refuse her debit as if it did not exist.
        var bobs = AccountDecider.Fold(AccountState.Initial("dst"), [new AccountOpened("dst", "Bob", "EUR", Guid.NewGuid(), T0)]);
        var credited = Assert.IsType<Decision.Accepted>(AccountDecider.Decide(bobs, steps[1]));
        Assert.Equal(Ann, Assert.IsType<TransferCredited>(Assert.Single(credited.Events)).IssuedBy);
        var debitOfBob = (DebitForTransfer)steps[0] with { AccountId = "dst" };
        Assert.Equal(RejectionCode.NotFound, Assert.IsType<Decision.Rejected>(AccountDecider.Decide(bobs, debitOfBob)).Rejection.Code);
    }

    [Fact]
    public void A_customer_replaying_someone_elses_transfer_id_learns_nothing_of_it()
    {
        var given = Given(Requested() with { IssuedBy = Ann });

        var rejected = Assert.IsType<TransferDecision.Rejected>(TransferDecider.Check(given, Request() with { IssuedBy = Mallory }));
        Assert.Equal(RejectionCode.IdempotencyConflict, rejected.Rejection.Code);
        Assert.DoesNotContain("src", rejected.Rejection.Reason, StringComparison.Ordinal);
        Assert.IsType<TransferDecision.Duplicate>(TransferDecider.Check(given, Request() with { IssuedBy = Ann }));
    }
}
