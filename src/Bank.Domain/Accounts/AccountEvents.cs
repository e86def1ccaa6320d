namespace Bank.Domain;

/// <summary>
/// A fact about one account. The hierarchy is closed: only the records in this file derive from it.
/// Every event carries the <see cref="CommandId"/> of the command that produced it, so the idempotency
/// window can be rebuilt from the journal, and the time <see cref="At"/> taken from that command.
/// </summary>
public abstract record AccountEvent
{
    private protected AccountEvent(string accountId, Guid commandId, DateTimeOffset at)
    {
        AccountId = accountId;
        CommandId = commandId;
        At = at;
    }

    public string AccountId { get; init; }
    public Guid CommandId { get; init; }
    public DateTimeOffset At { get; init; }

    /// <summary>The audit: who issued the command that produced it (null before authentication existed, or with it off).</summary>
    public Issuer? IssuedBy { get; init; }
}

/// <summary>
/// Always the first event of an account. <paramref name="Owner"/> is the owner's subject (a token's <c>sub</c>), already
/// trimmed. Accounts opened before authentication existed had a free-text name there; they read as
/// <c>legacy:&lt;name&gt;</c> (BankUpcasters), which no customer's subject is, so only staff reach them.
/// </summary>
public sealed record AccountOpened(string AccountId, string Owner, string Currency, Guid CommandId, DateTimeOffset At)
    : AccountEvent(AccountId, CommandId, At);

public sealed record MoneyDeposited(string AccountId, decimal Amount, decimal BalanceAfter, Guid CommandId, DateTimeOffset At)
    : AccountEvent(AccountId, CommandId, At);

public sealed record MoneyWithdrawn(string AccountId, decimal Amount, decimal BalanceAfter, Guid CommandId, DateTimeOffset At)
    : AccountEvent(AccountId, CommandId, At);

/// <summary>The last event of an account. Accounts close only at a zero balance, so <paramref name="FinalBalance"/> is 0.</summary>
public sealed record AccountClosed(string AccountId, decimal FinalBalance, Guid CommandId, DateTimeOffset At)
    : AccountEvent(AccountId, CommandId, At);

/// <summary>The account gave <paramref name="Amount"/> to transfer <paramref name="TransferId"/>, towards <paramref name="CounterpartyId"/>.</summary>
public sealed record TransferDebited(string AccountId, Guid TransferId, string CounterpartyId, decimal Amount, decimal BalanceAfter, Guid CommandId, DateTimeOffset At)
    : AccountEvent(AccountId, CommandId, At)
{
    /// <summary>
    /// Whether the transfer will tell the account how it ended (<see cref="TransferSettled"/> or <see cref="TransferRefunded"/>):
    /// until then the account may not close. True for every debit decided today; false (absent) in debits stored before
    /// settlements existed, whose transfers never settle and so must not keep the account from closing.
    /// </summary>
    public bool AwaitsSettlement { get; init; }
}

/// <summary>The account received <paramref name="Amount"/> by transfer <paramref name="TransferId"/>, from <paramref name="CounterpartyId"/>.</summary>
public sealed record TransferCredited(string AccountId, Guid TransferId, string CounterpartyId, decimal Amount, decimal BalanceAfter, Guid CommandId, DateTimeOffset At)
    : AccountEvent(AccountId, CommandId, At);

/// <summary>
/// The account got back the <paramref name="Amount"/> it gave to transfer <paramref name="TransferId"/>, whose target
/// <paramref name="CounterpartyId"/> refused it. Applies to a closed account too: the money must go back where it came from.
/// </summary>
public sealed record TransferRefunded(string AccountId, Guid TransferId, string CounterpartyId, decimal Amount, decimal BalanceAfter, Guid CommandId, DateTimeOffset At)
    : AccountEvent(AccountId, CommandId, At);

/// <summary>
/// The target of transfer <paramref name="TransferId"/> took the <paramref name="Amount"/> this account gave it: the
/// transfer is over for this account, which may close again. Moves no money. Applies to a closed account too (harmless),
/// though an account whose debit awaits this cannot close before it.
/// </summary>
public sealed record TransferSettled(string AccountId, Guid TransferId, string CounterpartyId, decimal Amount, Guid CommandId, DateTimeOffset At)
    : AccountEvent(AccountId, CommandId, At);
