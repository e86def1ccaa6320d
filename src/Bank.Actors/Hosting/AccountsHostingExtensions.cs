using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Bank.Actors.Accounts;
using Bank.Actors.Serialization;

namespace Bank.Actors.Hosting;

/// <summary>Akka.Hosting wiring of the accounts: the bank serializer and the accounts' shard region.</summary>
public static class AccountsHostingExtensions
{
    /// <summary>Binds <see cref="BankSerializer"/> to every persisted and remote message of the bank.</summary>
    public static AkkaConfigurationBuilder WithBankSerializer(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer(BankSerializer.Name, BankManifests.BoundTypes, system => new BankSerializer(system));

    /// <summary>The bank serializer and the accounts' shard region: what the host runs.</summary>
    public static AkkaConfigurationBuilder WithAccounts(this AkkaConfigurationBuilder builder, AccountSettings settings) =>
        builder.WithBankSerializer().WithAccountRegion(settings);

    /// <summary>
    /// The accounts' shard region (registered as <see cref="AccountRegion"/>): one persistent entity per account id,
    /// passivated when idle; not remembered (a message brings an account back). The coordinator keeps its state in
    /// distributed data, not in the journal, so that the journal holds only the bank's own events.
    /// </summary>
    public static AkkaConfigurationBuilder WithAccountRegion(this AkkaConfigurationBuilder builder, AccountSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return builder.WithShardRegion<AccountRegion>(
            AccountRegion.Name,
            accountId => AccountActor.Props(accountId, settings),
            new AccountMessageExtractor(settings.Shards),
            new ShardOptions
            {
                RememberEntities = false,
                StateStoreMode = StateStoreMode.DData,
                PassivateIdleEntityAfter = settings.PassivateAfter,
            });
    }
}
