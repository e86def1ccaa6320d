using Actors.Core.Entities;
using Xunit.Abstractions;

namespace Actors.Core.Tests;

public sealed class EntityRegionTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private sealed record ToEntity(string Id, object Payload);

    private sealed class Extractor : IMessageExtractor
    {
        public string? EntityId(object message) => (message as ToEntity)?.Id;
        public object EntityMessage(object message) => ((ToEntity)message).Payload;
    }

    /// <summary>Answers "who" with the id it was made for and its incarnation; "passivate" asks its region to stop it; "boom" fails.</summary>
    private sealed class Entity : ReceiveActor
    {
        private static int s_incarnations;

        public Entity(string id)
        {
            var incarnation = Interlocked.Increment(ref s_incarnations);
            Receive<string>(_ => Sender.Tell((id, incarnation), Self), m => m == "who");
            Receive<string>(_ => Context.Parent.Tell(new Passivate(PoisonPill.Instance), Self), m => m == "passivate");
            Receive<string>(_ => throw new InvalidOperationException("boom"), m => m == "boom");
        }
    }

    private IActorRef SharedFactoryRegion() => ActorOf(EntityRegion.Props(id => new Entity(id), new Extractor()), "entities");

    [Fact]
    public async Task Entities_made_by_one_shared_factory_each_get_their_own_id_also_one_that_needs_escaping()
    {
        var region = SharedFactoryRegion();
        string[] ids = ["plain", "with space/and slash", "ünïcode%41"];

        foreach (var id in ids)
        {
            region.Tell(new ToEntity(id, "who"), TestActor);
            var (answeredId, _) = await ExpectMsgAsync<(string, int)>();
            Assert.Equal(id, answeredId);
        }
    }

    [Fact]
    public async Task A_restarted_entity_of_a_shared_factory_keeps_its_id()
    {
        var region = SharedFactoryRegion();
        region.Tell(new ToEntity("acc-1", "who"), TestActor);
        var (_, first) = await ExpectMsgAsync<(string, int)>();

        region.Tell(new ToEntity("acc-1", "boom"), TestActor); // the default strategy restarts it: a new instance from the same props
        region.Tell(new ToEntity("acc-1", "who"), TestActor);

        var (id, second) = await ExpectMsgAsync<(string, int)>();
        Assert.Equal("acc-1", id);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task A_passivated_entity_is_started_again_by_its_next_message()
    {
        var region = SharedFactoryRegion();
        region.Tell(new ToEntity("acc-2", "who"), TestActor);
        var (_, first) = await ExpectMsgAsync<(string, int)>();

        region.Tell(new ToEntity("acc-2", "passivate"), TestActor);
        await AwaitAssertAsync(async () =>
        {
            region.Tell(GetRegionStats.Instance, TestActor);
            Assert.Equal(0, (await ExpectMsgAsync<RegionStats>()).ActiveEntities);
        });
        region.Tell(new ToEntity("acc-2", "who"), TestActor);

        var (id, second) = await ExpectMsgAsync<(string, int)>();
        Assert.Equal("acc-2", id);
        Assert.NotEqual(first, second);
    }
}
