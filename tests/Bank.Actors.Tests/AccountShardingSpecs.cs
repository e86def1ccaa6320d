using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Bank.Actors.Accounts;
using Bank.Actors.Tests.Support;
using Bank.Domain;

namespace Bank.Actors.Tests;

/// <summary>Accounts behind a real shard region on a one-node cluster: passivation, reactivation, and the gateway under concurrency.</summary>
public sealed class AccountShardingSpecs(ITestOutputHelper output) : AccountSpec(output, SpecConfig.SingleNodeCluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private async Task<IActorRef> StartRegion(AccountSettings settings)
    {
        var cluster = Cluster.Get(Sys);
        using var joining = new CancellationTokenSource(Patience);
        await cluster.JoinAsync(cluster.SelfAddress, joining.Token);
        return await ClusterSharding.Get(Sys).StartAsync(
            AccountRegion.Name,
            accountId => AccountActor.Props(accountId, settings),
            ClusterShardingSettings.Create(Sys)
                .WithRememberEntities(false)
                .WithStateStoreMode(StateStoreMode.DData)
                .WithPassivateIdleAfter(settings.PassivateAfter),
            new AccountMessageExtractor(settings.Shards));
    }

    private static string EntityPath(AccountSettings settings, string accountId) =>
        $"/system/sharding/{AccountRegion.Name}/{new AccountMessageExtractor(settings.Shards).ShardId(accountId, new GetAccount(accountId))}/{accountId}";

    [Fact]
    public async Task An_idle_account_is_passivated_and_the_next_message_brings_it_back_with_its_state()
    {
        var settings = new AccountSettings { PassivateAfter = TimeSpan.FromMilliseconds(300) };
        var region = await StartRegion(settings);
        await Accepted(region, Open("acc-1", 10m));
        var entity = LastSender;
        Assert.Equal(EntityPath(settings, "acc-1"), entity.Path.ToStringWithoutAddress());

        Watch(entity);
        await ExpectTerminatedAsync(entity, Patience);

        var view = await Accepted(region, DepositOf("acc-1", 5m));
        Assert.Equal((15m, 3L), (view.Balance, view.Version));
        Assert.Equal(entity.Path, LastSender.Path);
        Assert.NotEqual(entity, LastSender); // same path, new incarnation
    }

    [Fact]
    public async Task Asking_for_a_never_opened_account_answers_NotOpened_and_its_entity_passivates_at_once()
    {
        var settings = new AccountSettings(); // idle passivation after 2 minutes: the stop below is the entity's own
        var region = await StartRegion(settings);

        region.Tell(new GetAccount("nobody"), TestActor);
        var state = await ExpectMsgAsync<AccountState>();
        var entity = LastSender;

        Assert.Equal(AccountState.Initial("nobody", settings.IdempotencyWindow), state);
        Assert.Equal(EntityPath(settings, "nobody"), entity.Path.ToStringWithoutAddress());
        Watch(entity);
        await ExpectTerminatedAsync(entity, Patience);
        Assert.Equal(0, (await JournalOf("nobody")).HighestSequenceNr);
    }

    [Fact]
    public async Task Many_concurrent_withdrawals_through_the_gateway_never_overdraw()
    {
        var gateway = new AccountGateway(await StartRegion(new AccountSettings()), Patience);
        var balances = new Dictionary<string, int> { ["acc-1"] = 50, ["acc-2"] = 20 };
        foreach (var (id, balance) in balances)
            Assert.IsType<AccountReply.Accepted>(await gateway.SendAsync(Open(id, balance)));

        // 80 withdrawals of 1.00 from each account, interleaved, all in flight at once.
        var ids = Enumerable.Range(0, 80).SelectMany(_ => balances.Keys).ToList();
        var replies = ids.Zip(await Task.WhenAll(ids.Select(id => gateway.SendAsync(WithdrawalOf(id, 1m))))).ToLookup(pair => pair.First, pair => pair.Second);

        foreach (var (id, balance) in balances)
        {
            var accepted = replies[id].OfType<AccountReply.Accepted>().Select(a => a.View).ToList();
            Assert.Equal(balance, accepted.Count);
            Assert.Equal(80 - balance, replies[id].Count(r => r is AccountReply.Rejected { Rejection.Code: RejectionCode.InsufficientFunds }));
            // Each accepted withdrawal saw the one before it: versions 3.. and balances down to exactly zero, none twice.
            Assert.Equal(Enumerable.Range(3, balance).Select(v => (long)v), accepted.Select(v => v.Version).Order());
            Assert.Equal(Enumerable.Range(0, balance).Select(b => (decimal)b), accepted.Select(v => v.Balance).Order());
            var state = await gateway.GetAsync(id);
            Assert.Equal((0m, 2L + balance), (state.Balance, state.Version));
            Assert.Equal(2 + balance, (await JournalOf(id)).HighestSequenceNr);
        }
    }
}
