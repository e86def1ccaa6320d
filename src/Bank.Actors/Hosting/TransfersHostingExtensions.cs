using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Bank.Actors.Accounts;
using Bank.Actors.Transfers;

namespace Bank.Actors.Hosting;

/// <summary>Akka.Hosting wiring of the transfers' shard region.</summary>
public static class TransfersHostingExtensions
{
    /// <summary>
    /// The transfers' shard region (registered as <see cref="TransferRegion"/>), beside the accounts' region it asks.
    /// Entities are remembered, in the journal (the eventsourced store: durable, unlike distributed data without a
    /// durable store, and the journal is what the bank already has): a transfer is remembered from its first message
    /// until it passivates at its end, so after a crash, or when its node dies and its shard moves, the region starts it
    /// again and it resumes from its events. No sweep over the journal is needed, on one node or in a cluster.
    /// The coordinator keeps its state in the journal too (persistence mode): in distributed-data mode it forgets which
    /// shards exist when the whole cluster stops, and then no remembered transfer would come back after a crash of a
    /// single node (seen: a SIGKILLed host left its transfers pending). Its events are few (one per shard allocated).
    /// </summary>
    public static AkkaConfigurationBuilder WithTransferRegion(this AkkaConfigurationBuilder builder, TransferSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return builder.WithShardRegion<TransferRegion>(
            TransferRegion.Name,
            (_, registry) =>
            {
                var accounts = registry.Get<AccountRegion>();
                return entityId => TransferActor.Props(Guid.ParseExact(entityId, "N"), accounts, settings);
            },
            new TransferMessageExtractor(settings.Shards),
            new ShardOptions
            {
                RememberEntities = true,
                RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
                StateStoreMode = StateStoreMode.Persistence,
            });
    }
}
