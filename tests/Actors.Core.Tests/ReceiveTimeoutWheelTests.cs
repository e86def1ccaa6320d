using System.Diagnostics;
using Xunit.Abstractions;

namespace Actors.Core.Tests;

/// <summary>
/// The receive timeouts of all actors share one timer wheel of the system. Lower bounds are measured by the actor itself;
/// upper bounds are the (dilated) default timeout of several seconds, so a loaded machine does not fail them.
/// </summary>
public sealed class ReceiveTimeoutWheelTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private sealed record TimedOut(int Id, TimeSpan SinceLastMessage);

    /// <summary>Sets a receive timeout; reports each ReceiveTimeout with the time since its last message (by its own clock).</summary>
    private sealed class Sleeper : ReceiveActor
    {
        private long _last = Stopwatch.GetTimestamp();

        public Sleeper(int id, IActorRef probe, TimeSpan timeout, bool once)
        {
            Context.SetReceiveTimeout(timeout);
            Receive<ReceiveTimeout>(_ =>
            {
                probe.Tell(new TimedOut(id, Stopwatch.GetElapsedTime(_last)), Self);
                if (once) Context.SetReceiveTimeout(null);
            });
            ReceiveAny(_ => _last = Stopwatch.GetTimestamp());
        }
    }

    private static Props SleeperProps(int id, IActorRef probe, TimeSpan timeout, bool once = false) =>
        Props.Create(() => new Sleeper(id, probe, timeout, once));

    [Fact]
    public async Task Many_idle_actors_each_get_their_receive_timeout_from_the_shared_wheel()
    {
        const int count = 200;
        var timeout = TimeSpan.FromMilliseconds(100);
        for (var i = 0; i < count; i++) ActorOf(SleeperProps(i, TestActor, timeout, once: true));

        var timedOut = await ReceiveNAsync(count, Dilated(TimeSpan.FromSeconds(10)));

        var ids = timedOut.Cast<TimedOut>().Select(t => t.Id).ToHashSet();
        Assert.Equal(count, ids.Count);
        Assert.All(timedOut.Cast<TimedOut>(), t => Assert.True(t.SinceLastMessage >= timeout - TimeSpan.FromMilliseconds(5), $"fired after {t.SinceLastMessage}"));
        await AwaitAssertAsync(() => Assert.Equal(0, Sys.ReceiveTimeouts.Count)); // switched off: all left the wheel
    }

    [Fact]
    public async Task A_stopped_actor_leaves_the_wheel_and_never_gets_its_receive_timeout()
    {
        // Long enough that it cannot fire before the stop below, even on a loaded machine.
        var timeout = Dilated(TimeSpan.FromSeconds(1));
        var actor = ActorOf(SleeperProps(1, TestActor, timeout));
        await AwaitAssertAsync(() => Assert.Equal(1, Sys.ReceiveTimeouts.Count)); // armed by the constructor

        Sys.Stop(actor);
        await Sys.WhenActorTerminated(actor).WaitAsync(Dilated(TimeSpan.FromSeconds(3)));

        Assert.Equal(0, Sys.ReceiveTimeouts.Count);
        await ExpectNoMsgAsync(timeout + TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Messages_push_the_receive_timeout_back_and_it_fires_once_they_stop()
    {
        var timeout = TimeSpan.FromMilliseconds(150);
        var actor = ActorOf(SleeperProps(1, TestActor, timeout));
        await ExpectMsgAsync<TimedOut>(); // idle from the start

        // A message every 20 ms for 600 ms: four timeouts long, yet never idle for one.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMilliseconds(600))
        {
            actor.Tell("ping", null);
            await Task.Delay(20);
        }
        var fired = await ExpectMsgAsync<TimedOut>();

        // Had it fired while the pings came, it would have been idle for less than the timeout.
        Assert.True(fired.SinceLastMessage >= timeout - TimeSpan.FromMilliseconds(5), $"fired {fired.SinceLastMessage} after the last ping");
    }

    [Fact]
    public async Task A_receive_timeout_longer_than_a_round_of_the_wheel_fires_after_its_time_not_a_round_early()
    {
        // Four buckets of 10 ms: a round of the wheel is 40 ms, so a 250 ms timeout waits six rounds in its bucket.
        await using var system = ActorSystem.Create("small-wheel", new ActorSystemSettings { ReceiveTimeoutWheelSize = 4 });
        var timeout = TimeSpan.FromMilliseconds(250);
        var actor = system.ActorOf(SleeperProps(1, TestActor, timeout));

        var first = await ExpectMsgAsync<TimedOut>();
        Assert.True(first.SinceLastMessage >= timeout - TimeSpan.FromMilliseconds(5), $"fired after {first.SinceLastMessage}");

        actor.Tell("ping", null); // re-armed by a message: again a whole timeout, not the rest of a round
        var second = await ExpectMsgAsync<TimedOut>();
        Assert.True(second.SinceLastMessage >= timeout - TimeSpan.FromMilliseconds(5), $"fired {second.SinceLastMessage} after the ping");
    }

    [Fact]
    public async Task Actors_stopped_from_the_front_middle_and_end_of_one_bucket_leave_it_and_the_others_still_fire()
    {
        // One bucket: all five entries share one list, so the stops unlink its first, inner and last entries.
        await using var system = ActorSystem.Create("one-bucket", new ActorSystemSettings { ReceiveTimeoutWheelSize = 1 });
        var timeout = Dilated(TimeSpan.FromSeconds(1));
        var actors = new List<IActorRef>();
        for (var i = 0; i < 5; i++)
        {
            actors.Add(system.ActorOf(SleeperProps(i, TestActor, timeout, once: true)));
            var armed = i + 1;
            await AwaitAssertAsync(() => Assert.Equal(armed, system.ReceiveTimeouts.Count)); // linked in this order
        }

        foreach (var i in new[] { 0, 2, 4 })
        {
            system.Stop(actors[i]);
            await system.WhenActorTerminated(actors[i]).WaitAsync(Dilated(TimeSpan.FromSeconds(3)));
        }
        Assert.Equal(2, system.ReceiveTimeouts.Count);

        var fired = (await ReceiveNAsync(2, Dilated(TimeSpan.FromSeconds(10)))).Cast<TimedOut>().ToList();
        Assert.Equal([1, 3], fired.Select(t => t.Id).Order());
        Assert.All(fired, t => Assert.True(t.SinceLastMessage >= timeout - TimeSpan.FromMilliseconds(5), $"fired after {t.SinceLastMessage}"));
        await AwaitAssertAsync(() => Assert.Equal(0, system.ReceiveTimeouts.Count));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }
}
