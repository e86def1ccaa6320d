using Akka.Cluster.Sharding;
using Bank.Domain;

namespace Bank.Actors.Accounts;

/// <summary>
/// Routes account commands and queries to the account's entity by account id. The shard is a stable hash of the id
/// (Akka's Murmur hash, not string.GetHashCode), so every node and every restart agrees on it.
/// </summary>
public sealed class AccountMessageExtractor(int shards) : HashCodeMessageExtractor(shards)
{
    public override string? EntityId(object message) => message switch
    {
        AccountCommand command => command.AccountId,
        GetAccount query => query.AccountId,
        _ => null,
    };
}
