using Akka.Cluster.Sharding;
using Bank.Domain;

namespace Bank.Actors.Transfers;

/// <summary>Routes transfer requests and queries to the transfer's entity, by transfer id (a stable hash, like the accounts').</summary>
public sealed class TransferMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => message switch
    {
        RequestTransfer request => EntityIdOf(request.TransferId),
        GetTransfer query => EntityIdOf(query.TransferId),
        _ => null,
    };

    /// <summary>The entity id (and the end of the persistence id) of a transfer: its id as 32 hex digits.</summary>
    public static string EntityIdOf(Guid transferId) => transferId.ToString("N");
}
