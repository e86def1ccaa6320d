namespace Bank.Domain;

/// <summary>
/// The pure functions of an account: <see cref="Decide"/> turns a command into a decision, <see cref="Evolve"/>
/// applies one event to the state, <see cref="Fold"/> applies many.
/// </summary>
public static partial class AccountDecider
{
    /// <summary>
    /// Decides what a command does to the account. Rules are checked in this order: idempotency, existence and
    /// status, validation of the fields, business rules; the first failure is the rejection.
    /// Throws (a programming error, not a rejection) when the command is addressed to another account than the state's.
    /// </summary>
    public static Decision Decide(AccountState state, AccountCommand command)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        if (!string.Equals(command.AccountId, state.AccountId, StringComparison.Ordinal))
            throw new ArgumentException($"A command for account '{command.AccountId}' was given the state of account '{state.AccountId}'.", nameof(command));

        var decision = CheckAccess(state, command) ?? CheckTransferLedger(state, command) ?? CheckIdempotency(state, command) ?? command switch
        {
            OpenAccount open => DecideOpen(state, open),
            Deposit deposit => DecideDeposit(state, deposit),
            Withdraw withdraw => DecideWithdraw(state, withdraw),
            CloseAccount close => DecideClose(state, close),
            DebitForTransfer debit => DecideDebit(state, debit),
            CreditForTransfer credit => DecideCredit(state, credit),
            RefundTransfer refund => DecideRefund(state, refund),
            SettleTransfer settle => DecideSettle(state, settle),
            _ => throw new ArgumentOutOfRangeException(nameof(command), $"Unknown command type {command.GetType().Name}."),
        };
        return Audited(decision, command.IssuedBy);
    }

    /// <summary>
    /// A customer acts only on its own accounts. Checked before idempotency, so that a replayed key cannot show someone
    /// else's account either. Someone else's account is refused exactly as a missing one (not-found), so ids do not leak;
    /// opening an id that someone else holds is already-exists, as it is for anyone.
    /// </summary>
    private static Decision? CheckAccess(AccountState state, AccountCommand command)
    {
        if (command.IssuedBy is not { Role: Role.Customer } customer || !command.OwnerOnly) return null;
        if (command is OpenAccount open && state.Status == AccountStatus.NotOpened)
        {
            return string.Equals(AccountRules.NormalizeOwner(open.Owner ?? ""), customer.Subject, StringComparison.Ordinal)
                ? null
                : Reject(RejectionCode.Validation, AccountRules.OwnerField, "A customer opens accounts only for itself: the owner must be its own subject.");
        }
        if (state.Status == AccountStatus.NotOpened || string.Equals(state.Owner, customer.Subject, StringComparison.Ordinal)) return null;
        return command is OpenAccount
            ? Reject(RejectionCode.AlreadyExists, AccountRules.AccountIdField, $"Account '{state.AccountId}' already exists.")
            : Reject(RejectionCode.NotFound, AccountRules.AccountIdField, $"Account '{state.AccountId}' does not exist.");
    }

    /// <summary>Every event of an accepted command records who issued it (the audit trail), whatever its type.</summary>
    private static Decision Audited(Decision decision, Issuer? issuer) =>
        decision is Decision.Accepted accepted && issuer is not null
            ? new Decision.Accepted(Array.AsReadOnly(accepted.Events.Select(e => e with { IssuedBy = issuer }).ToArray()))
            : decision;

    private static Decision? CheckIdempotency(AccountState state, AccountCommand command)
    {
        if (command.CommandId == Guid.Empty)
            return Reject(RejectionCode.Validation, AccountRules.IdempotencyKeyField, "The idempotency key must be a non-empty GUID.");

        if (!state.ProcessedCommands.TryGet(command.CommandId, out var original))
            return null;

        return string.Equals(original.Fingerprint, CommandFingerprint.Of(command), StringComparison.Ordinal)
            ? new Decision.Duplicate(original)
            : Reject(RejectionCode.IdempotencyConflict, AccountRules.IdempotencyKeyField,
                $"The idempotency key {command.CommandId} was already used for a different request on account '{state.AccountId}'.");
    }

    /// <summary>
    /// A transfer's step this account already applied is done, whenever it is retried (the ledger forgets nothing,
    /// unlike the idempotency window): answered as a duplicate with the account as it is now.
    /// </summary>
    private static Decision.Duplicate? CheckTransferLedger(AccountState state, AccountCommand command) =>
        command is TransferStepCommand step && state.Transfers.Has(step.TransferId, step.Step)
            ? new Decision.Duplicate(new ProcessedCommand(command.CommandId, CommandFingerprint.Of(command), state.Version, state.Balance, state.Status))
            : null;

    private static Decision DecideOpen(AccountState state, OpenAccount command)
    {
        if (state.Status != AccountStatus.NotOpened)
            return Reject(RejectionCode.AlreadyExists, AccountRules.AccountIdField, $"Account '{state.AccountId}' already exists.");

        var invalid = AccountRules.ValidateAccountId(command.AccountId)
                      ?? AccountRules.ValidateOwner(command.Owner)
                      ?? AccountRules.ValidateCurrency(command.Currency)
                      ?? AccountRules.ValidateInitialDeposit(command.InitialDeposit);
        if (invalid is not null)
            return new Decision.Rejected(invalid);

        var opened = new AccountOpened(command.AccountId, AccountRules.NormalizeOwner(command.Owner), command.Currency, command.CommandId, command.Now);
        return command.InitialDeposit == 0m
            ? Accept(opened)
            : Accept(opened, new MoneyDeposited(command.AccountId, command.InitialDeposit, command.InitialDeposit, command.CommandId, command.Now));
    }

    private static Decision DecideDeposit(AccountState state, Deposit command)
    {
        var refused = RequireOpen(state) ?? AccountRules.ValidateAmount(command.Amount);
        if (refused is not null)
            return new Decision.Rejected(refused);

        return Accept(new MoneyDeposited(state.AccountId, command.Amount, state.Balance + command.Amount, command.CommandId, command.Now));
    }

    private static Decision DecideWithdraw(AccountState state, Withdraw command)
    {
        var refused = RequireOpen(state) ?? AccountRules.ValidateAmount(command.Amount);
        if (refused is not null)
            return new Decision.Rejected(refused);

        if (command.Amount > state.Balance)
            return Reject(RejectionCode.InsufficientFunds, AccountRules.AmountField,
                $"Withdrawal of {DecimalText.Money(command.Amount)} exceeds the available balance of {DecimalText.Money(state.Balance)}.");

        return Accept(new MoneyWithdrawn(state.AccountId, command.Amount, state.Balance - command.Amount, command.CommandId, command.Now));
    }

    private static Decision DecideClose(AccountState state, CloseAccount command)
    {
        var refused = RequireOpen(state);
        if (refused is not null)
            return new Decision.Rejected(refused);

        if (state.Balance != 0m)
            return Reject(RejectionCode.BalanceNotZero, null,
                $"Account '{state.AccountId}' can only be closed at a zero balance, but its balance is {DecimalText.Money(state.Balance)}.");

        // A debit at zero balance is no end: the target may still refuse the money, and its refund would land in a closed
        // account that nobody can withdraw from. So the account waits until each of its transfers says how it ended.
        if (state.Transfers.FirstInFlight() is { } inFlight)
            return Reject(RejectionCode.TransferInFlight, null,
                $"Account '{state.AccountId}' cannot be closed while its transfer {inFlight} is in flight: retry once the transfer has ended.");

        return Accept(new AccountClosed(state.AccountId, state.Balance, command.CommandId, command.Now));
    }

    private static Decision DecideDebit(AccountState state, DebitForTransfer command)
    {
        var refused = RequireOpen(state) ?? AccountRules.ValidateAmount(command.Amount) ?? RequireCurrency(state, command.Currency);
        if (refused is not null)
            return new Decision.Rejected(refused);

        if (command.Amount > state.Balance)
            return Reject(RejectionCode.InsufficientFunds, AccountRules.AmountField,
                $"A transfer of {DecimalText.Money(command.Amount)} exceeds the available balance of {DecimalText.Money(state.Balance)} of account '{state.AccountId}'.");

        // The transfer process settles or refunds every debit it makes, so the account can wait for that before it closes.
        return Accept(new TransferDebited(state.AccountId, command.TransferId, command.CounterpartyId, command.Amount, state.Balance - command.Amount,
            command.CommandId, command.Now) { AwaitsSettlement = true });
    }

    private static Decision DecideCredit(AccountState state, CreditForTransfer command)
    {
        var refused = RequireOpen(state) ?? AccountRules.ValidateAmount(command.Amount) ?? RequireCurrency(state, command.Currency);
        if (refused is not null)
            return new Decision.Rejected(refused);

        return Accept(new TransferCredited(state.AccountId, command.TransferId, command.CounterpartyId, command.Amount, state.Balance + command.Amount,
            command.CommandId, command.Now));
    }

    /// <summary>
    /// Money goes back only to where it came from: a refund needs this account's debit of the same transfer and amount,
    /// which the target must not have taken (a settled transfer). The account's status does not matter: a debit today
    /// keeps its source from closing until its refund, but a source closed after a debit from before settlements existed
    /// still gets its money back.
    /// </summary>
    private static Decision DecideRefund(AccountState state, RefundTransfer command)
    {
        var refused = RequireDebitNotEnded(state, command.TransferId, "refund") ?? AccountRules.ValidateAmount(command.Amount);
        if (refused is not null)
            return new Decision.Rejected(refused);

        return Accept(new TransferRefunded(state.AccountId, command.TransferId, command.CounterpartyId, command.Amount, state.Balance + command.Amount,
            command.CommandId, command.Now));
    }

    /// <summary>
    /// The source learns that its transfer's target took the money. It needs this account's debit of the transfer, which
    /// a refund must not have undone (a transfer ends one way only). The account's status does not matter: nothing moves,
    /// and a debit from before settlements existed did not keep its account from closing.
    /// </summary>
    private static Decision DecideSettle(AccountState state, SettleTransfer command)
    {
        var refused = RequireDebitNotEnded(state, command.TransferId, "settle") ?? AccountRules.ValidateAmount(command.Amount);
        if (refused is not null)
            return new Decision.Rejected(refused);

        return Accept(new TransferSettled(state.AccountId, command.TransferId, command.CounterpartyId, command.Amount, command.CommandId, command.Now));
    }

    /// <summary>A debit ends once, refunded or settled: either needs this account's debit of the transfer, not ended yet.</summary>
    private static Rejection? RequireDebitNotEnded(AccountState state, Guid transferId, string ending)
    {
        var steps = state.Transfers.StepsOf(transferId);
        var reason = (steps & TransferStep.Debited) == TransferStep.None
            ? $"Account '{state.AccountId}' never gave anything to transfer {transferId}, so there is nothing to {ending}."
            : (steps & TransferStep.Settled) != TransferStep.None
                ? $"The target of transfer {transferId} took the money of account '{state.AccountId}', so there is nothing to {ending}."
                : (steps & TransferStep.Refunded) != TransferStep.None
                    ? $"Account '{state.AccountId}' got the money of transfer {transferId} back, so there is nothing to {ending}."
                    : null;
        return reason is null ? null : new Rejection(RejectionCode.Validation, TransferRules.TransferIdField, reason);
    }

    private static Rejection? RequireCurrency(AccountState state, string currency) =>
        string.Equals(state.Currency, currency, StringComparison.Ordinal)
            ? null
            : new Rejection(RejectionCode.CurrencyMismatch, AccountRules.CurrencyField,
                $"Account '{state.AccountId}' holds {state.Currency}, not {currency}.");

    private static Rejection? RequireOpen(AccountState state) => state.Status switch
    {
        AccountStatus.Open => null,
        AccountStatus.NotOpened => new Rejection(RejectionCode.NotFound, AccountRules.AccountIdField, $"Account '{state.AccountId}' does not exist."),
        AccountStatus.Closed => new Rejection(RejectionCode.AccountClosed, null, $"Account '{state.AccountId}' is closed."),
        _ => throw new ArgumentOutOfRangeException(nameof(state), $"Unknown account status {state.Status}."),
    };

    private static Decision.Accepted Accept(params AccountEvent[] events) => new(Array.AsReadOnly(events));

    private static Decision.Rejected Reject(RejectionCode code, string? field, string reason) => new(new Rejection(code, field, reason));
}
