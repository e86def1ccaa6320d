using Xunit.Abstractions;

namespace Actors.Core.Tests;

public sealed class TimerTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private sealed record StartSingle(object Key, object Message, TimeSpan Delay);
    private sealed record StartPeriodic(object Key, object Message, TimeSpan Interval);
    private sealed record CancelTimer(object Key);
    private sealed record IsActive(object Key);

    /// <summary>Starts and cancels timers on request; forwards the timers' messages (and anything else) to the probe.</summary>
    private sealed class TimerActor : ReceiveActor, IWithTimers
    {
        public ITimerScheduler Timers { get; set; } = null!;

        public TimerActor(IActorRef probe)
        {
            Receive<StartSingle>(s => Timers.StartSingleTimer(s.Key, s.Message, s.Delay));
            Receive<StartPeriodic>(s => Timers.StartPeriodicTimer(s.Key, s.Message, s.Interval));
            Receive<CancelTimer>(c =>
            {
                Timers.Cancel(c.Key);
                Sender.Tell($"cancelled {c.Key}", Self);
            });
            Receive<IsActive>(q => Sender.Tell(Timers.IsTimerActive(q.Key), Self));
            ReceiveAny(m => probe.Tell(m, Sender));
        }
    }

    [Fact]
    public async Task Single_timer_fires_once_and_periodic_timer_repeats()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartSingle("once", "single", TimeSpan.FromMilliseconds(10)), null);
        actor.Tell(new StartPeriodic("repeat", "tick", TimeSpan.FromMilliseconds(10)), null);

        var received = new List<object>();
        while (received.Count(m => Equals(m, "tick")) < 5) received.Add((await ReceiveOneAsync())!);

        Assert.Single(received, m => Equals(m, "single"));
        Assert.False(await actor.Ask<bool>(new IsActive("once"), TimeSpan.FromSeconds(3)));
        Assert.True(await actor.Ask<bool>(new IsActive("repeat"), TimeSpan.FromSeconds(3)));

        actor.Tell(new CancelTimer("repeat"), TestActor);
        await FishForMessageAsync<string>(m => m == "cancelled repeat");
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(60));
        Assert.False(await actor.Ask<bool>(new IsActive("repeat"), TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task Cancelled_timer_message_already_queued_is_not_delivered()
    {
        var actor = ActorOf(Props.Create(() => new QueuedTimerCanceller(TestActor)));

        actor.Tell("go", TestActor);

        await ExpectMsgAsync("cancelled while queued");
        actor.Tell("marker", TestActor);
        await ExpectMsgAsync("marker"); // anything queued before the marker has been handled by now
        await ExpectNoMsgAsync();
    }

    [Fact]
    public async Task Starting_a_timer_again_replaces_the_old_one()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)));

        actor.Tell(new StartSingle("key", "old", TimeSpan.FromMilliseconds(30)), null);
        actor.Tell(new StartSingle("key", "new", TimeSpan.FromMilliseconds(1)), null);

        await ExpectMsgAsync("new");
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(80));
    }

    [Fact]
    public async Task Timers_are_cancelled_when_the_actor_stops()
    {
        var actor = ActorOf(Props.Create(() => new SelfTicker(TestActor, new InstanceCounter())));
        await ExpectMsgAsync("tick 1");
        await ExpectMsgAsync("tick 1");

        actor.Tell("stop", TestActor);

        await FishForMessageAsync<string>(m => m.StartsWith("PostStop", StringComparison.Ordinal) && m.EndsWith("timer active: False", StringComparison.Ordinal));
        await ExpectNoMsgAsync();
    }

    [Fact]
    public async Task Timers_are_cancelled_when_the_actor_restarts()
    {
        var counter = new InstanceCounter();
        var actor = ActorOf(Props.Create(() => new SelfTicker(TestActor, counter)));
        await ExpectMsgAsync("tick 1");

        actor.Tell("boom", TestActor); // the guardian restarts it; only the first instance starts the timer

        await FishForMessageAsync<string>(m => m == "PostRestart 2");
        actor.Tell("marker", TestActor);
        await FishForMessageAsync<string>(m => m == "marker");
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(60));
        Assert.Equal(2, counter.Count);
    }

    [Fact]
    public async Task Scheduler_tells_once_or_repeatedly_until_cancelled()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(5), TestActor, "once");
        await ExpectMsgAsync("once");

        var repeating = Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(10), TestActor, "again");
        await ExpectMsgAsync("again");
        await ExpectMsgAsync("again");
        repeating.Cancel();
        Assert.True(repeating.IsCancellationRequested);
        await AwaitAssertAsync(async () =>
        {
            while (HasMessages) await ReceiveOneAsync(); // a tick can be in flight while cancelling
            await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50));
        });

        var cancelledBeforeDue = Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(30), TestActor, "never");
        cancelledBeforeDue.Cancel();
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(80));
    }

    /// <summary>Starts a timer that is due at once, waits until its message must be queued, then cancels it.</summary>
    private sealed class QueuedTimerCanceller : ReceiveActor, IWithTimers
    {
        public ITimerScheduler Timers { get; set; } = null!;

        public QueuedTimerCanceller(IActorRef probe)
        {
            ReceiveAsync<string>(async _ =>
            {
                Timers.StartSingleTimer("key", "must not arrive", TimeSpan.Zero);
                // The mailbox is held while this handler runs, so the due timer's message waits in the queue.
                await Task.Delay(30);
                Timers.Cancel("key");
                Sender.Tell("cancelled while queued", Self);
            }, m => m == "go");
            ReceiveAny(m => probe.Tell(m, Sender));
        }
    }

    /// <summary>The first instance ticks every 10 ms; every instance reports its restart and whether the timer is active in PostStop.</summary>
    private sealed class SelfTicker : ReceiveActor, IWithTimers
    {
        private readonly IActorRef _probe;
        private readonly int _instance;

        public ITimerScheduler Timers { get; set; } = null!;

        public SelfTicker(IActorRef probe, InstanceCounter counter)
        {
            _probe = probe;
            _instance = counter.Next();
            Receive<string>(_ => probe.Tell($"tick {_instance}", Self), m => m == "tick");
            Receive<string>(_ => throw new BoomException(), m => m == "boom");
            Receive<string>(_ => Context.Stop(Self), m => m == "stop");
            Receive<string>(m => probe.Tell(m, Sender));
        }

        protected internal override void PreStart()
        {
            if (_instance == 1) Timers.StartPeriodicTimer("tick", "tick", TimeSpan.FromMilliseconds(10));
        }

        protected internal override void PostRestart(Exception reason) => _probe.Tell($"PostRestart {_instance}", Self);

        protected internal override void PostStop() => _probe.Tell($"PostStop {_instance}, timer active: {Timers.IsTimerActive("tick")}", Self);
    }
}
