using Bank.Domain;

namespace Bank.Actors.Transfers;

/// <summary>Asks a transfer for its state (<see cref="TransferStage.None"/> for an id nobody asked for).</summary>
public sealed record GetTransfer(Guid TransferId);

/// <summary>What a transfer answers to a <see cref="RequestTransfer"/>.</summary>
public abstract record TransferReply
{
    private TransferReply()
    {
    }

    /// <summary>The transfer is persisted and under way (or, when <paramref name="WasDuplicate"/>, was already; it may have ended).</summary>
    public sealed record Accepted(TransferState Transfer, bool WasDuplicate) : TransferReply;

    /// <summary>Refused (invalid, unknown or closed source, idempotency conflict); nothing was persisted, no money moved.</summary>
    public sealed record Rejected(Rejection Rejection) : TransferReply;

    /// <summary>The source account or the journal did not answer: the transfer did not start; retry with the same transfer id.</summary>
    public sealed record Unavailable(string Reason) : TransferReply;
}
