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

        return @event switch
        {
            AccountOpened e => ApplyOpened(state, e),
            MoneyDeposited e => ApplyDeposited(state, e),
            MoneyWithdrawn e => ApplyWithdrawn(state, e),
            AccountClosed e => ApplyClosed(state, e),
            _ => throw new ArgumentOutOfRangeException(nameof(@event), $"Unknown event type {@event.GetType().Name}."),
        };
    }

    // One new state per event (this runs for every command and every replayed event): the common fields of the
    // next version are set in the same `with` as the event's own change.
    private static AccountState Next(AccountState state, AccountEvent e, string fingerprint, decimal balance, AccountStatus status) =>
        Next(state, e, new ProcessedCommand(e.CommandId, fingerprint, state.Version + 1, balance, status));

    /// <summary>The next state for an event of the open command (AccountOpened, or its initial deposit).</summary>
    private static AccountState NextOfOpen(AccountState state, AccountEvent e, decimal initialDeposit, decimal balance, AccountStatus status) =>
        Next(state, e, ProcessedCommand.ForOpen(e.CommandId, state.Owner!, state.Currency!, initialDeposit, state.Version + 1, balance, status));

    /// <summary><paramref name="outcome"/> is the event's command at the next version, with its balance and status after.</summary>
    private static AccountState Next(AccountState state, AccountEvent e, ProcessedCommand outcome) =>
        state with
        {
            Balance = outcome.Balance,
            Status = outcome.Status,
            Version = outcome.Version,
            LastActivityAt = e.At,
            ProcessedCommands = state.ProcessedCommands.Remember(outcome),
        };

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

    private static AccountState ApplyOpened(AccountState state, AccountOpened e)
    {
        if (state.Status != AccountStatus.NotOpened)
            throw Impossible(state, e, $"the account is already {state.Status}");
        if (e.Owner is null || e.Currency is null)
            throw Impossible(state, e, "it has no owner or no currency");

        // The same text, but one shared string for a well-known code instead of the event's own copy.
        var currency = CurrencyCodes.Canonical(e.Currency);
        var opened = state with { Owner = e.Owner, Currency = currency, OpenedAt = e.At };
        return NextOfOpen(opened, e, initialDeposit: 0m, balance: 0m, AccountStatus.Open);
    }

    private static AccountState ApplyDeposited(AccountState state, MoneyDeposited e)
    {
        RequireOpen(state, e);
        if (e.Amount <= 0m)
            throw Impossible(state, e, $"its amount {e.Amount} is not positive");
        if (e.BalanceAfter != state.Balance + e.Amount)
            throw Impossible(state, e, $"balance {state.Balance} + {e.Amount} is not its balance after {e.BalanceAfter}");

        // The only command producing two events is an OpenAccount with an initial deposit: AccountOpened (version 1)
        // directly followed by MoneyDeposited with the same command id. Its fingerprint then describes the open.
        return state.Version == 1 && state.ProcessedCommands.TryGet(e.CommandId, out var opening) && opening.Version == 1
            ? NextOfOpen(state, e, initialDeposit: e.Amount, e.BalanceAfter, state.Status)
            : Next(state, e, CommandFingerprint.Deposit(e.Amount), e.BalanceAfter, state.Status);
    }

    private static AccountState ApplyWithdrawn(AccountState state, MoneyWithdrawn e)
    {
        RequireOpen(state, e);
        if (e.Amount <= 0m)
            throw Impossible(state, e, $"its amount {e.Amount} is not positive");
        if (e.BalanceAfter != state.Balance - e.Amount)
            throw Impossible(state, e, $"balance {state.Balance} - {e.Amount} is not its balance after {e.BalanceAfter}");
        if (e.BalanceAfter < 0m)
            throw Impossible(state, e, $"the balance would become negative ({e.BalanceAfter})");

        return Next(state, e, CommandFingerprint.Withdraw(e.Amount), e.BalanceAfter, state.Status);
    }

    private static AccountState ApplyClosed(AccountState state, AccountClosed e)
    {
        RequireOpen(state, e);
        if (e.FinalBalance != state.Balance)
            throw Impossible(state, e, $"its final balance {e.FinalBalance} is not the balance {state.Balance}");
        if (state.Balance != 0m)
            throw Impossible(state, e, $"an account closes only at a zero balance, not at {state.Balance}");

        return Next(state, e, CommandFingerprint.Close(), state.Balance, AccountStatus.Closed);
    }

    private static void RequireOpen(AccountState state, AccountEvent e)
    {
        if (state.Status != AccountStatus.Open)
            throw Impossible(state, e, $"the account is {state.Status}");
    }

    private static InvalidOperationException Impossible(AccountState state, AccountEvent e, string why) =>
        new($"{e.GetType().Name} (command {e.CommandId}) cannot apply to account '{state.AccountId}' at version {state.Version}: {why}.");
}
