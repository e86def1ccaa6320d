using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;
using Bank.Host.Hosting;

namespace Bank.Host.Tests;

/// <summary>
/// The node guard while a node starts (its own member reads as Removed until it joins, which must not read as "removed"),
/// and when another node has quarantined it (it must leave, as a downed node does).
/// </summary>
public sealed class NodeGuardTests
{
    [Fact]
    public Task A_node_that_has_not_joined_yet_is_not_refused_as_removed_and_is_up_once_it_joined_itself() =>
        OnANodeAsync(async (system, guard) =>
        {
            var cluster = Cluster.Get(system);
            Assert.Equal(MemberStatus.Removed, cluster.SelfMember.Status);
            Assert.False(guard.WhenUp.IsCompleted);
            Assert.Null(guard.Refusal());

            cluster.Join(cluster.SelfAddress);
            await guard.WhenUp.WaitAsync(TimeSpan.FromSeconds(15));

            // The cluster's view of its own member catches up a moment after the member-up callback: served throughout.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (cluster.SelfMember.Status != MemberStatus.Up && DateTime.UtcNow < deadline)
            {
                Assert.Null(guard.Refusal());
                await Task.Delay(10);
            }
            Assert.Equal(MemberStatus.Up, cluster.SelfMember.Status);
            Assert.Null(guard.Refusal());
        });

    [Fact]
    public Task A_node_that_another_node_quarantined_refuses_requests_and_shuts_down() =>
        OnANodeAsync(async (system, guard) =>
        {
            var cluster = Cluster.Get(system);
            system.ActorOf(QuarantineShutdown.Props());
            cluster.Join(cluster.SelfAddress);
            await guard.WhenUp.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Null(guard.Refusal());

            // What the remoting layer publishes when a peer answers an association with "you are quarantined" (again
            // until the system ends: the actor subscribes when it has started, a moment after ActorOf).
            var peer = new Address("akka.tcp", system.Name, "127.0.0.1", 1);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!system.WhenTerminated.IsCompleted && DateTime.UtcNow < deadline)
            {
                system.EventStream.Publish(new ThisActorSystemQuarantinedEvent(cluster.SelfAddress, peer));
                await Task.WhenAny(system.WhenTerminated, Task.Delay(100));
            }

            Assert.True(system.WhenTerminated.IsCompleted, "The quarantined node did not shut down.");
            Assert.IsType<CoordinatedShutdown.ClusterDowningReason>(CoordinatedShutdown.Get(system).ShutdownReason);
            Assert.NotNull(guard.Refusal());
        });

    /// <summary>A bank node's actor system (not joined yet) with its guard, terminated after <paramref name="scenario"/>.</summary>
    private static async Task OnANodeAsync(Func<ActorSystem, NodeGuard, Task> scenario)
    {
        var hocon = BankHocon.Load("akka.loglevel = WARNING");
        var system = ActorSystem.Create("node-guard-" + Guid.NewGuid().ToString("N")[..8], hocon.Config);
        try
        {
            using var guard = new NodeGuard(system, hocon);
            await scenario(system, guard);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
