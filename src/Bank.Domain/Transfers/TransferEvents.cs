namespace Bank.Domain;

/// <summary>A fact about one transfer, the persisted history of the transfer process. Closed: only the records in this file derive from it.</summary>
public abstract record TransferEvent
{
    private protected TransferEvent(Guid transferId, DateTimeOffset at)
    {
        TransferId = transferId;
        At = at;
    }

    public Guid TransferId { get; init; }
    public DateTimeOffset At { get; init; }
}

/// <summary>Always the first event: the transfer is accepted (its source existed and was open) and will end completed or failed.</summary>
public sealed record TransferRequested(Guid TransferId, string FromAccountId, string ToAccountId, string Currency, decimal Amount, DateTimeOffset At)
    : TransferEvent(TransferId, At)
{
    /// <summary>Who asked for the transfer (the audit trail); every step's account event records it too.</summary>
    public Issuer? IssuedBy { get; init; }
}

/// <summary>The source gave the amount: the money is in flight until the target takes it or the source gets it back.</summary>
public sealed record TransferSourceDebited(Guid TransferId, DateTimeOffset At) : TransferEvent(TransferId, At);

/// <summary>The target refused the money (closed, unknown, another currency): the source is refunded next.</summary>
public sealed record TransferCreditRefused(Guid TransferId, RejectionCode Code, string Reason, DateTimeOffset At) : TransferEvent(TransferId, At);

/// <summary>The target took the money: nothing is in flight any more; the source is told (settled) next.</summary>
public sealed record TransferTargetCredited(Guid TransferId, DateTimeOffset At) : TransferEvent(TransferId, At);

/// <summary>
/// The last event of a transfer that moved its amount from the source to the target, after the source was settled.
/// (Transfers completed before settlements existed went straight from <see cref="TransferSourceDebited"/> to it.)
/// </summary>
public sealed record TransferCompleted(Guid TransferId, DateTimeOffset At) : TransferEvent(TransferId, At);

/// <summary>
/// The last event of a transfer that moved nothing: the source refused the debit, or the target refused the credit and
/// the source got its money back. <paramref name="Code"/> and <paramref name="Reason"/> are the refusal's.
/// </summary>
public sealed record TransferFailed(Guid TransferId, RejectionCode Code, string Reason, DateTimeOffset At) : TransferEvent(TransferId, At);
