using Akka.Actor;
using Akka.Cluster;
using Bank.Host.Hosting;

namespace Bank.Host.Tests;

/// <summary>The node guard while a node starts: its own member reads as Removed until it joins, which must not read as "removed".</summary>
public sealed class NodeGuardTests
{
    [Fact]
    public async Task A_node_that_has_not_joined_yet_is_not_refused_as_removed_and_is_up_once_it_joined_itself()
    {
        var hocon = BankHocon.Load("akka.loglevel = WARNING");
        var system = ActorSystem.Create("node-guard-" + Guid.NewGuid().ToString("N")[..8], hocon.Config);
        try
        {
            using var guard = new NodeGuard(system, hocon);
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
        }
        finally
        {
            await system.Terminate();
        }
    }
}
