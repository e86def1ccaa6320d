using System.Diagnostics;
using Xunit.Abstractions;

namespace Actors.Core.Tests;

/// <summary>
/// Receive timeouts depend on the clock. To stay reliable on a loaded machine the tests check lower bounds with times the
/// actor measures itself, and give upper bounds the (dilated) default timeout of several seconds.
/// </summary>
public sealed class ReceiveTimeoutTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private sealed record Heartbeat : INotInfluenceReceiveTimeout;
    private sealed record Idled(TimeSpan SinceLastMessage, int HeartbeatsMeanwhile);

    /// <summary>
    /// Reports each ReceiveTimeout with the time since it last finished a message (by its own clock) and the heartbeats it
    /// got meanwhile. "work" keeps it busy until the gate opens; "off" switches the timeout off.
    /// </summary>
    private sealed class Idle : ReceiveActor
    {
        private long _lastFinished = Stopwatch.GetTimestamp();
        private int _heartbeats;

        public Idle(IActorRef probe, TimeSpan timeout, Task gate)
        {
            Context.SetReceiveTimeout(timeout);
            Receive<ReceiveTimeout>(_ =>
            {
                probe.Tell(new Idled(Stopwatch.GetElapsedTime(_lastFinished), _heartbeats), Self);
                _heartbeats = 0;
            });
            Receive<Heartbeat>(_ => _heartbeats++);
            ReceiveAsync<string>(async _ =>
            {
                probe.Tell("working", Self);
                await gate;
                probe.Tell("done", Self);
                _lastFinished = Stopwatch.GetTimestamp();
            }, m => m == "work");
            Receive<string>(_ =>
            {
                Context.SetReceiveTimeout(null);
                probe.Tell("off", Self);
            }, m => m == "off");
            Receive<string>(_ => _lastFinished = Stopwatch.GetTimestamp());
        }
    }

    [Fact]
    public async Task Receive_timeout_fires_when_idle_and_not_while_busy()
    {
        var timeout = Dilated(TimeSpan.FromMilliseconds(100));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = ActorOf(Props.Create(() => new Idle(TestActor, timeout, gate.Task)));
        await ExpectMsgAsync<Idled>(); // idle from the start

        actor.Tell("work", null);
        await FishForMessageAsync<string>(m => m == "working");
        await ExpectNoMsgAsync(timeout * 3); // busy for three timeouts: no ReceiveTimeout
        gate.SetResult();
        await ExpectMsgAsync("done");

        // Idle again: it fires, but a whole timeout after the busy handler finished, not at once.
        var idled = await ExpectMsgAsync<Idled>();
        Assert.True(idled.SinceLastMessage >= timeout - TimeSpan.FromMilliseconds(5), $"fired {idled.SinceLastMessage} after the last message");

        actor.Tell("ping", null); // a message starts the idle time again
        idled = await ExpectMsgAsync<Idled>();
        Assert.True(idled.SinceLastMessage >= timeout - TimeSpan.FromMilliseconds(5), $"fired {idled.SinceLastMessage} after the ping");
    }

    [Fact]
    public async Task Receive_timeout_is_not_reset_by_NotInfluenceReceiveTimeout_messages()
    {
        var timeout = Dilated(TimeSpan.FromMilliseconds(60));
        var actor = ActorOf(Props.Create(() => new Idle(TestActor, timeout, Task.CompletedTask)));
        await ExpectMsgAsync<Idled>();

        using var heartbeats = new Timer(_ => actor.Tell(new Heartbeat(), null), null, 0, 5);

        // Heartbeats keep arriving, yet the actor counts as idle and the timeout fires (repeatedly).
        await FishForMessageAsync<Idled>(i => i.HeartbeatsMeanwhile > 0);
        await FishForMessageAsync<Idled>(i => i.HeartbeatsMeanwhile > 0);
    }

    [Fact]
    public async Task Receive_timeout_can_be_switched_off()
    {
        var actor = ActorOf(Props.Create(() => new Idle(TestActor, TimeSpan.FromMilliseconds(30), Task.CompletedTask)));
        await ExpectMsgAsync<Idled>();

        actor.Tell("off", null);

        await FishForMessageAsync<string>(m => m == "off");
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(150));
    }
}
