using Akka.Actor;
using Bank.Domain;

namespace Bank.Actors.Transfers;

/// <summary>The shard region of the transfers, as Akka.Hosting's registry knows it.</summary>
public sealed class TransferRegion
{
    public const string Name = "transfers";
}

/// <summary>How the outside world (HTTP) talks to transfers: it asks the shard region and gets a reply or an exception.</summary>
public sealed class TransferGateway(IActorRef region, TimeSpan askTimeout)
{
    /// <summary>An <see cref="AskTimeoutException"/> means the outcome is unknown: retry with the same transfer id.</summary>
    public Task<TransferReply> RequestAsync(RequestTransfer command, CancellationToken cancellationToken = default) =>
        region.Ask<TransferReply>(command, askTimeout, cancellationToken);

    public Task<TransferState> GetAsync(Guid transferId, CancellationToken cancellationToken = default) =>
        region.Ask<TransferState>(new GetTransfer(transferId), askTimeout, cancellationToken);
}
