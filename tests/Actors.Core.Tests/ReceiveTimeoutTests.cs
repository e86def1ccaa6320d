using Xunit.Abstractions;

namespace Actors.Core.Tests;

public sealed class ReceiveTimeoutTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private sealed record KeepAlive;
    private sealed record Heartbeat : INotInfluenceReceiveTimeout;

    /// <summary>Reports ReceiveTimeout; "off" switches the timeout off; ignores everything else.</summary>
    private sealed class Idle : ReceiveActor
    {
        public Idle(IActorRef probe, TimeSpan timeout)
        {
            Context.SetReceiveTimeout(timeout);
            Receive<ReceiveTimeout>(_ => probe.Tell("idle", Self));
            Receive<string>(_ =>
            {
                Context.SetReceiveTimeout(null);
                probe.Tell("off", Self);
            }, m => m == "off");
            ReceiveAny(_ => { });
        }
    }

    [Fact]
    public async Task Receive_timeout_fires_when_idle_and_not_while_busy()
    {
        var timeout = Dilated(TimeSpan.FromMilliseconds(150));
        var actor = ActorOf(Props.Create(() => new Idle(TestActor, timeout)));
        await ExpectMsgAsync("idle"); // idle from the start

        // Busy: a message every 10 ms, far more often than the timeout.
        var keepAlive = Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(10), actor, new KeepAlive());
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(400));
        keepAlive.Cancel();

        await WithinAsync(timeout - TimeSpan.FromMilliseconds(20), timeout * 4, () => ExpectMsgAsync("idle", timeout * 4));
    }

    [Fact]
    public async Task Receive_timeout_is_not_reset_by_NotInfluenceReceiveTimeout_messages()
    {
        var timeout = Dilated(TimeSpan.FromMilliseconds(100));
        var actor = ActorOf(Props.Create(() => new Idle(TestActor, timeout)));
        await ExpectMsgAsync("idle");

        using var heartbeats = new Heartbeats(() => actor.Tell(new Heartbeat(), null));

        await ExpectMsgAsync("idle", timeout * 5); // fires although heartbeats keep arriving
        await ExpectMsgAsync("idle", timeout * 5); // and again: a receive timeout repeats while idle
    }

    [Fact]
    public async Task Receive_timeout_can_be_switched_off()
    {
        var actor = ActorOf(Props.Create(() => new Idle(TestActor, TimeSpan.FromMilliseconds(30))));
        await ExpectMsgAsync("idle");

        actor.Tell("off", null);

        await FishForMessageAsync<string>(m => m == "off");
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(150));
    }

    private sealed class Heartbeats : IDisposable
    {
        private readonly Timer _timer;
        public Heartbeats(Action beat) => _timer = new Timer(_ => beat(), null, 0, 10);
        public void Dispose() => _timer.Dispose();
    }
}
