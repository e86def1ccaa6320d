namespace Bank.Domain;

/// <summary>
/// An intent addressed to one account. The hierarchy is closed: only the records in this file derive from it.
/// <see cref="CommandId"/> is the idempotency key; <see cref="Now"/> is supplied by the caller (the domain has no clock).
/// </summary>
public abstract record AccountCommand
{
    private protected AccountCommand(string accountId, Guid commandId, DateTimeOffset now)
    {
        AccountId = accountId;
        CommandId = commandId;
        Now = now;
    }

    public string AccountId { get; init; }
    public Guid CommandId { get; init; }
    public DateTimeOffset Now { get; init; }

    /// <summary>
    /// Who sends it; null when authentication is off. A customer may act only on its own accounts: on anyone else's the
    /// command is refused as if the account did not exist.
    /// </summary>
    public Issuer? IssuedBy { get; init; }

    /// <summary>
    /// Whether a customer may issue it only on its own account (see <see cref="AccountDecider.Decide"/>). True for every
    /// command of today. A command that touches someone else's account on the issuer's behalf, such as the credit leg of
    /// a transfer, overrides it to false; its events still record the issuer. Internal, so never serialized.
    /// </summary>
    internal virtual bool OwnerOnly => true;
}

/// <summary>Opens an account. <paramref name="InitialDeposit"/> 0 means no initial deposit.</summary>
public sealed record OpenAccount(string AccountId, string Owner, string Currency, decimal InitialDeposit, Guid CommandId, DateTimeOffset Now)
    : AccountCommand(AccountId, CommandId, Now);

public sealed record Deposit(string AccountId, decimal Amount, Guid CommandId, DateTimeOffset Now)
    : AccountCommand(AccountId, CommandId, Now);

public sealed record Withdraw(string AccountId, decimal Amount, Guid CommandId, DateTimeOffset Now)
    : AccountCommand(AccountId, CommandId, Now);

public sealed record CloseAccount(string AccountId, Guid CommandId, DateTimeOffset Now)
    : AccountCommand(AccountId, CommandId, Now);
