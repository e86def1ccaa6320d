namespace Bank.Domain;

public static partial class AccountDecider
{
    /// <summary>
    /// Applies one event: the next state, with <see cref="AccountState.Version"/> one higher and the event's command
    /// remembered in the idempotency window. Throws <see cref="InvalidOperationException"/> on an event that cannot
    /// apply to this state (wrong account, wrong status, inconsistent balance): a corrupt history must fail loudly.
    /// </summary>
    public static AccountState Evolve(AccountState state, AccountEvent @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(@event);
        if (!string.Equals(@event.AccountId, state.AccountId, StringComparison.Ordinal))
            throw Impossible(state, @event, $"it belongs to account '{@event.AccountId}'");

        var (next, fingerprint) = @event switch
        {
            AccountOpened e => ApplyOpened(state, e),
            MoneyDeposited e => ApplyDeposited(state, e),
            MoneyWithdrawn e => ApplyWithdrawn(state, e),
            AccountClosed e => ApplyClosed(state, e),
            TransferDebited e => ApplyTransferDebited(state, e),
            TransferCredited e => ApplyTransferCredited(state, e),
            TransferRefunded e => ApplyTransferRefunded(state, e),
            TransferSettled e => ApplyTransferSettled(state, e),
            _ => throw new ArgumentOutOfRangeException(nameof(@event), $"Unknown event type {@event.GetType().Name}."),
        };

        // Every event counts as a version and remembers its command with the outcome so far, so a repeat of the
        // command is answered from the window whether the state was built by commands or replayed from the journal.
        var version = state.Version + 1;
        var outcome = new ProcessedCommand(@event.CommandId, fingerprint, version, next.Balance, next.Status);
        return next with
        {
            Version = version,
            LastActivityAt = @event.At,
            ProcessedCommands = state.ProcessedCommands.Remember(outcome),
        };
    }

    /// <summary>Applies the events in order.</summary>
    public static AccountState Fold(AccountState state, IEnumerable<AccountEvent> events)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(events);
        var current = state;
        foreach (var @event in events)
            current = Evolve(current, @event);
        return current;
    }

    // Each Apply checks that the event can happen to this state and returns the state with the event's own change,
    // and the fingerprint of the command that produced the event.

    private static (AccountState Next, string Fingerprint) ApplyOpened(AccountState state, AccountOpened e)
    {
        if (state.Status != AccountStatus.NotOpened)
            throw Impossible(state, e, $"the account is already {state.Status}");
        if (e.Owner is null || e.Currency is null)
            throw Impossible(state, e, "it has no owner or no currency");

        var next = state with { Owner = e.Owner, Currency = e.Currency, Balance = 0m, Status = AccountStatus.Open, OpenedAt = e.At };
        return (next, CommandFingerprint.Open(e.Owner, e.Currency, 0m));
    }

    private static (AccountState Next, string Fingerprint) ApplyDeposited(AccountState state, MoneyDeposited e)
    {
        RequireOpen(state, e);
        if (e.Amount <= 0m)
            throw Impossible(state, e, $"its amount {e.Amount} is not positive");
        if (e.BalanceAfter != state.Balance + e.Amount)
            throw Impossible(state, e, $"balance {state.Balance} + {e.Amount} is not its balance after {e.BalanceAfter}");

        // The only command producing two events is an OpenAccount with an initial deposit: AccountOpened (version 1)
        // directly followed by MoneyDeposited with the same command id. Its fingerprint then describes the open.
        var fingerprint = state.Version == 1 && state.ProcessedCommands.TryGet(e.CommandId, out var opening) && opening.Version == 1
            ? CommandFingerprint.Open(state.Owner!, state.Currency!, e.Amount)
            : CommandFingerprint.Deposit(e.Amount);
        return (state with { Balance = e.BalanceAfter }, fingerprint);
    }

    private static (AccountState Next, string Fingerprint) ApplyWithdrawn(AccountState state, MoneyWithdrawn e)
    {
        RequireOpen(state, e);
        if (e.Amount <= 0m)
            throw Impossible(state, e, $"its amount {e.Amount} is not positive");
        if (e.BalanceAfter != state.Balance - e.Amount)
            throw Impossible(state, e, $"balance {state.Balance} - {e.Amount} is not its balance after {e.BalanceAfter}");
        if (e.BalanceAfter < 0m)
            throw Impossible(state, e, $"the balance would become negative ({e.BalanceAfter})");

        return (state with { Balance = e.BalanceAfter }, CommandFingerprint.Withdraw(e.Amount));
    }

    private static (AccountState Next, string Fingerprint) ApplyClosed(AccountState state, AccountClosed e)
    {
        RequireOpen(state, e);
        if (e.FinalBalance != state.Balance)
            throw Impossible(state, e, $"its final balance {e.FinalBalance} is not the balance {state.Balance}");
        if (state.Balance != 0m)
            throw Impossible(state, e, $"an account closes only at a zero balance, not at {state.Balance}");

        return (state with { Status = AccountStatus.Closed }, CommandFingerprint.Close());
    }

    private static (AccountState Next, string Fingerprint) ApplyTransferDebited(AccountState state, TransferDebited e)
    {
        RequireOpen(state, e);
        RequireNewStep(state, e, e.TransferId, TransferStep.Debited | TransferStep.Credited);
        var balance = Moved(state, e, e.Amount, -1, e.BalanceAfter);
        if (balance < 0m)
            throw Impossible(state, e, $"the balance would become negative ({balance})");
        // The mark rides in the ledger (and so in snapshots): only debits whose transfer will settle keep the account open.
        var steps = e.AwaitsSettlement ? TransferStep.Debited | TransferStep.SettlementDue : TransferStep.Debited;
        return (state with { Balance = balance, Transfers = state.Transfers.With(e.TransferId, steps) },
            CommandFingerprint.Transfer(TransferStep.Debited, e.TransferId, e.Amount));
    }

    private static (AccountState Next, string Fingerprint) ApplyTransferCredited(AccountState state, TransferCredited e)
    {
        RequireOpen(state, e);
        RequireNewStep(state, e, e.TransferId, TransferStep.Debited | TransferStep.Credited);
        var balance = Moved(state, e, e.Amount, +1, e.BalanceAfter);
        return (state with { Balance = balance, Transfers = state.Transfers.With(e.TransferId, TransferStep.Credited) },
            CommandFingerprint.Transfer(TransferStep.Credited, e.TransferId, e.Amount));
    }

    // No status check: a source closed after the debit still gets its money back (see DecideRefund).
    private static (AccountState Next, string Fingerprint) ApplyTransferRefunded(AccountState state, TransferRefunded e)
    {
        RequireDebitNotEnded(state, e, e.TransferId);
        var balance = Moved(state, e, e.Amount, +1, e.BalanceAfter);
        return (state with { Balance = balance, Transfers = state.Transfers.With(e.TransferId, TransferStep.Refunded) },
            CommandFingerprint.Transfer(TransferStep.Refunded, e.TransferId, e.Amount));
    }

    // No status check either (see DecideSettle), and no money moves: only the ledger learns that the transfer ended.
    private static (AccountState Next, string Fingerprint) ApplyTransferSettled(AccountState state, TransferSettled e)
    {
        RequireDebitNotEnded(state, e, e.TransferId);
        if (e.Amount <= 0m)
            throw Impossible(state, e, $"its amount {e.Amount} is not positive");
        return (state with { Transfers = state.Transfers.With(e.TransferId, TransferStep.Settled) },
            CommandFingerprint.Transfer(TransferStep.Settled, e.TransferId, e.Amount));
    }

    // A refund or a settlement ends a debit of this (opened) account, once.
    private static void RequireDebitNotEnded(AccountState state, AccountEvent e, Guid transferId)
    {
        if (state.Status == AccountStatus.NotOpened)
            throw Impossible(state, e, "the account was never opened");
        if (!state.Transfers.Has(transferId, TransferStep.Debited))
            throw Impossible(state, e, "the account never gave anything to this transfer");
        RequireNewStep(state, e, transferId, TransferStep.Refunded | TransferStep.Settled);
    }

    private static void RequireNewStep(AccountState state, AccountEvent e, Guid transferId, TransferStep excluded)
    {
        if ((state.Transfers.StepsOf(transferId) & excluded) != TransferStep.None)
            throw Impossible(state, e, $"the account already did {state.Transfers.StepsOf(transferId)} for transfer {transferId}");
    }

    /// <summary>The balance after a positive <paramref name="amount"/> moved in (<paramref name="sign"/> +1) or out (-1), checked against the event's own balance after.</summary>
    private static decimal Moved(AccountState state, AccountEvent e, decimal amount, int sign, decimal balanceAfter)
    {
        if (amount <= 0m)
            throw Impossible(state, e, $"its amount {amount} is not positive");
        if (balanceAfter != state.Balance + sign * amount)
            throw Impossible(state, e, $"balance {state.Balance} {(sign > 0 ? '+' : '-')} {amount} is not its balance after {balanceAfter}");
        return balanceAfter;
    }

    private static void RequireOpen(AccountState state, AccountEvent e)
    {
        if (state.Status != AccountStatus.Open)
            throw Impossible(state, e, $"the account is {state.Status}");
    }

    private static InvalidOperationException Impossible(AccountState state, AccountEvent e, string why) =>
        new($"{e.GetType().Name} (command {e.CommandId}) cannot apply to account '{state.AccountId}' at version {state.Version}: {why}.");
}
