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

/// <summary>
/// The base of the four steps a transfer asks of an account. <see cref="TransferId"/> makes a step take effect at most
/// once, however late it is retried: the account records the transfer ids it applied each step for (<see cref="TransferLedger"/>).
/// </summary>
public abstract record TransferStepCommand : AccountCommand
{
    private protected TransferStepCommand(string accountId, Guid transferId, string counterpartyId, decimal amount, Guid commandId, DateTimeOffset now)
        : base(accountId, commandId, now)
    {
        TransferId = transferId;
        CounterpartyId = counterpartyId;
        Amount = amount;
    }

    public Guid TransferId { get; init; }

    /// <summary>The account on the other side of the transfer.</summary>
    public string CounterpartyId { get; init; }

    public decimal Amount { get; init; }

    public abstract TransferStep Step { get; }
}

/// <summary>Takes a transfer's amount from its source; refused for insufficient funds, another currency, a closed or unknown account.</summary>
public sealed record DebitForTransfer(string AccountId, Guid TransferId, string CounterpartyId, string Currency, decimal Amount, Guid CommandId, DateTimeOffset Now)
    : TransferStepCommand(AccountId, TransferId, CounterpartyId, Amount, CommandId, Now)
{
    public override TransferStep Step => TransferStep.Debited;
}

/// <summary>Gives a transfer's amount to its target; refused for another currency, a closed or unknown account.</summary>
public sealed record CreditForTransfer(string AccountId, Guid TransferId, string CounterpartyId, string Currency, decimal Amount, Guid CommandId, DateTimeOffset Now)
    : TransferStepCommand(AccountId, TransferId, CounterpartyId, Amount, CommandId, Now)
{
    public override TransferStep Step => TransferStep.Credited;

    /// <summary>Money may go to anyone's account: the issuer of the transfer need not own its target.</summary>
    internal override bool OwnerOnly => false;
}

/// <summary>Gives a debited transfer's amount back to its source after the target refused it; refused only when this account never debited the transfer.</summary>
public sealed record RefundTransfer(string AccountId, Guid TransferId, string CounterpartyId, decimal Amount, Guid CommandId, DateTimeOffset Now)
    : TransferStepCommand(AccountId, TransferId, CounterpartyId, Amount, CommandId, Now)
{
    public override TransferStep Step => TransferStep.Refunded;

    /// <summary>A refund undoes a debit the owner check already let through; it must never be refused for who asked.</summary>
    internal override bool OwnerOnly => false;
}

/// <summary>
/// Tells a debited transfer's source that its target took the money: the transfer no longer keeps the source from closing.
/// Moves no money; refused only when this account never debited the transfer, or got the money back instead.
/// </summary>
public sealed record SettleTransfer(string AccountId, Guid TransferId, string CounterpartyId, decimal Amount, Guid CommandId, DateTimeOffset Now)
    : TransferStepCommand(AccountId, TransferId, CounterpartyId, Amount, CommandId, Now)
{
    public override TransferStep Step => TransferStep.Settled;

    /// <summary>Like a refund, it follows a debit the owner check already let through; it must never be refused for who asked.</summary>
    internal override bool OwnerOnly => false;
}
