namespace Bank.Domain;

/// <summary>Where a transfer is in its process.</summary>
public enum TransferStage
{
    /// <summary>Nobody asked for it.</summary>
    None,
    /// <summary>Accepted; the source is to be debited.</summary>
    Requested,
    /// <summary>The source was debited; the target is to be credited.</summary>
    Debited,
    /// <summary>The target refused; the source is to be refunded.</summary>
    Refunding,
    /// <summary>The target took the money; the source is to be told (settled), which lets it close again.</summary>
    Settling,
    Completed,
    Failed,
}

/// <summary>What a client sees of a transfer's stage: pending until it has ended (a settling transfer is still pending).</summary>
public enum TransferStatus
{
    Pending,
    Completed,
    Failed,
}

/// <summary>
/// The state of one transfer, built only by <see cref="TransferDecider.Evolve"/>. <see cref="Code"/> and
/// <see cref="Reason"/> say why it failed (or, while refunding, why the target refused).
/// </summary>
public sealed record TransferState(
    Guid TransferId,
    string? FromAccountId,
    string? ToAccountId,
    string? Currency,
    decimal Amount,
    TransferStage Stage,
    RejectionCode? Code,
    string? Reason,
    DateTimeOffset? RequestedAt,
    DateTimeOffset? EndedAt,
    long Version)
{
    public static TransferState Initial(Guid transferId) =>
        new(transferId, null, null, null, 0m, TransferStage.None, null, null, null, null, 0);

    /// <summary>Who asked for the transfer; its steps are issued in that name.</summary>
    public Issuer? IssuedBy { get; init; }

    public bool Exists => Stage != TransferStage.None;

    public bool HasEnded => Stage is TransferStage.Completed or TransferStage.Failed;

    /// <summary>Money the source gave that neither the target nor the source holds yet (none while settling: the target has it).</summary>
    public decimal InFlight => Stage is TransferStage.Debited or TransferStage.Refunding ? Amount : 0m;

    public TransferStatus Status => Stage switch
    {
        TransferStage.Completed => TransferStatus.Completed,
        TransferStage.Failed => TransferStatus.Failed,
        _ => TransferStatus.Pending,
    };
}
