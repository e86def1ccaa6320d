namespace Bank.Domain;

/// <summary>The outcome of asking for a transfer. Closed: exactly the three nested records.</summary>
public abstract record TransferDecision
{
    private TransferDecision()
    {
    }

    /// <summary>Persist <paramref name="Events"/> and evolve with them.</summary>
    public sealed record Accepted(IReadOnlyList<TransferEvent> Events) : TransferDecision;

    /// <summary>Refused; nothing is persisted, no money moves.</summary>
    public sealed record Rejected(Rejection Rejection) : TransferDecision;

    /// <summary>The same transfer was asked for before: answer with the transfer as it is.</summary>
    public sealed record Duplicate : TransferDecision;
}

/// <summary>What an account answered to a transfer's step.</summary>
public abstract record StepOutcome
{
    private StepOutcome()
    {
    }

    /// <summary>The step took effect (now or on an earlier attempt).</summary>
    public sealed record Done : StepOutcome;

    /// <summary>The account refused the step; nothing changed there.</summary>
    public sealed record Refused(Rejection Rejection) : StepOutcome;
}

/// <summary>
/// The pure functions of the transfer process (a saga over two accounts): requested, then the source is debited (refused:
/// failed, nothing moved), then the target is credited (then the source is settled, and it completed; refused: the source
/// is refunded, then failed). Money is never created or destroyed: a refund only follows a debit, and every step is
/// idempotent by transfer id. The source learns either way how its debit ended, and may not close before.
/// </summary>
public static class TransferDecider
{
    /// <summary>
    /// What can be decided without the source account: a repeat of an existing transfer (duplicate, or a conflict when
    /// the intent differs), or invalid input. Null: the request is new and valid, ask the source then call <see cref="Decide"/>.
    /// </summary>
    public static TransferDecision? Check(TransferState state, RequestTransfer command)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        if (command.TransferId != state.TransferId)
            throw new ArgumentException($"A request for transfer {command.TransferId} was given the state of transfer {state.TransferId}.", nameof(command));

        if (state.Exists)
        {
            // A customer never learns of someone else's transfer, not even by replaying its id.
            if (command.IssuedBy is { Role: Role.Customer } customer && state.IssuedBy?.Subject != customer.Subject)
                return new TransferDecision.Rejected(new Rejection(RejectionCode.IdempotencyConflict, TransferRules.TransferIdField,
                    $"Transfer {command.TransferId} was already asked for by someone else: choose another transfer id."));
            var same = string.Equals(state.FromAccountId, command.FromAccountId, StringComparison.Ordinal)
                       && string.Equals(state.ToAccountId, command.ToAccountId, StringComparison.Ordinal)
                       && state.Amount == command.Amount;
            return same
                ? new TransferDecision.Duplicate()
                : new TransferDecision.Rejected(new Rejection(RejectionCode.IdempotencyConflict, TransferRules.TransferIdField,
                    $"Transfer {command.TransferId} was already asked for with different accounts or amount."));
        }

        var invalid = TransferRules.Validate(command);
        return invalid.Count > 0 ? new TransferDecision.Rejected(invalid[0]) : null;
    }

    /// <summary>Decides a request given its source account as it is: unknown 404, closed 409, else the transfer starts in the source's currency.</summary>
    public static TransferDecision Decide(TransferState state, RequestTransfer command, AccountState source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Check(state, command) is { } early) return early;
        if (!string.Equals(source.AccountId, command.FromAccountId, StringComparison.Ordinal))
            throw new ArgumentException($"The source of transfer {command.TransferId} is '{command.FromAccountId}', not '{source.AccountId}'.", nameof(source));

        // Someone else's account is refused exactly as a missing one, so a customer learns nothing of ids it does not own.
        var hidden = command.IssuedBy is { Role: Role.Customer } customer
                     && !string.Equals(source.Owner, customer.Subject, StringComparison.Ordinal);
        return (hidden ? AccountStatus.NotOpened : source.Status) switch
        {
            AccountStatus.NotOpened => new TransferDecision.Rejected(new Rejection(RejectionCode.NotFound, TransferRules.FromAccountIdField,
                $"Account '{source.AccountId}' does not exist.")),
            AccountStatus.Closed => new TransferDecision.Rejected(new Rejection(RejectionCode.AccountClosed, TransferRules.FromAccountIdField,
                $"Account '{source.AccountId}' is closed.")),
            _ => new TransferDecision.Accepted([
                new TransferRequested(command.TransferId, command.FromAccountId, command.ToAccountId, source.Currency!, command.Amount, command.Now)
                {
                    IssuedBy = command.IssuedBy,
                }]),
        };
    }

    /// <summary>The account command of the transfer's next step; null when it has ended (or never started).</summary>
    public static AccountCommand? NextStep(TransferState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var id = state.TransferId;
        AccountCommand? step = state.Stage switch
        {
            TransferStage.Requested => new DebitForTransfer(state.FromAccountId!, id, state.ToAccountId!, state.Currency!, state.Amount,
                TransferRules.StepCommandId(id, TransferStep.Debited), now),
            TransferStage.Debited => new CreditForTransfer(state.ToAccountId!, id, state.FromAccountId!, state.Currency!, state.Amount,
                TransferRules.StepCommandId(id, TransferStep.Credited), now),
            TransferStage.Refunding => new RefundTransfer(state.FromAccountId!, id, state.ToAccountId!, state.Amount,
                TransferRules.StepCommandId(id, TransferStep.Refunded), now),
            TransferStage.Settling => new SettleTransfer(state.FromAccountId!, id, state.ToAccountId!, state.Amount,
                TransferRules.StepCommandId(id, TransferStep.Settled), now),
            _ => null,
        };
        // Each step is issued in the name of whoever asked for the transfer: the source checks its owner, and every
        // account event of the transfer records who moved the money.
        return step is null ? null : step with { IssuedBy = state.IssuedBy };
    }

    /// <summary>
    /// What the outcome of the current step means for the transfer. Empty when there is nothing to record: no step is
    /// due, or the refund or the settlement was refused, which cannot happen after a debit (the caller keeps retrying and
    /// reports it).
    /// </summary>
    public static IReadOnlyList<TransferEvent> OnStep(TransferState state, StepOutcome outcome, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(outcome);
        var id = state.TransferId;
        return (state.Stage, outcome) switch
        {
            (TransferStage.Requested, StepOutcome.Done) => [new TransferSourceDebited(id, now)],
            (TransferStage.Requested, StepOutcome.Refused r) => [new TransferFailed(id, r.Rejection.Code, r.Rejection.Reason, now)],
            (TransferStage.Debited, StepOutcome.Done) => [new TransferTargetCredited(id, now)],
            (TransferStage.Debited, StepOutcome.Refused r) => [new TransferCreditRefused(id, r.Rejection.Code, r.Rejection.Reason, now)],
            (TransferStage.Refunding, StepOutcome.Done) => [new TransferFailed(id, state.Code!.Value, state.Reason!, now)],
            (TransferStage.Settling, StepOutcome.Done) => [new TransferCompleted(id, now)],
            _ => [],
        };
    }

    /// <summary>Applies one event; throws on an event that cannot follow the state (a corrupt history must fail loudly).</summary>
    public static TransferState Evolve(TransferState state, TransferEvent @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(@event);
        if (@event.TransferId != state.TransferId)
            throw Impossible(state, @event);

        var next = (state.Stage, @event) switch
        {
            (TransferStage.None, TransferRequested e) => state with
            {
                FromAccountId = e.FromAccountId, ToAccountId = e.ToAccountId, Currency = e.Currency, Amount = e.Amount,
                Stage = TransferStage.Requested, RequestedAt = e.At, IssuedBy = e.IssuedBy,
            },
            (TransferStage.Requested, TransferSourceDebited) => state with { Stage = TransferStage.Debited },
            (TransferStage.Requested, TransferFailed e) => state with { Stage = TransferStage.Failed, Code = e.Code, Reason = e.Reason, EndedAt = e.At },
            (TransferStage.Debited, TransferTargetCredited) => state with { Stage = TransferStage.Settling },
            (TransferStage.Settling, TransferCompleted e) => state with { Stage = TransferStage.Completed, EndedAt = e.At },
            // Completed before settlements existed: its source was never settled, and its debit never awaited it.
            (TransferStage.Debited, TransferCompleted e) => state with { Stage = TransferStage.Completed, EndedAt = e.At },
            (TransferStage.Debited, TransferCreditRefused e) => state with { Stage = TransferStage.Refunding, Code = e.Code, Reason = e.Reason },
            (TransferStage.Refunding, TransferFailed e) => state with { Stage = TransferStage.Failed, Code = e.Code, Reason = e.Reason, EndedAt = e.At },
            _ => throw Impossible(state, @event),
        };
        return next with { Version = state.Version + 1 };
    }

    public static TransferState Fold(TransferState state, IEnumerable<TransferEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return events.Aggregate(state, Evolve);
    }

    private static InvalidOperationException Impossible(TransferState state, TransferEvent e) =>
        new($"{e.GetType().Name} of transfer {e.TransferId} cannot apply to transfer {state.TransferId} at stage {state.Stage} (version {state.Version}).");
}
