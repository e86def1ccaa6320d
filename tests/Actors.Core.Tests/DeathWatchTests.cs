using Actors.Core.Supervision;
using Xunit.Abstractions;

namespace Actors.Core.Tests;

public sealed class DeathWatchTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private sealed record WatchIt(IActorRef Target);
    private sealed record UnwatchIt(IActorRef Target);

    /// <summary>Watches and unwatches on request (acknowledging with "watching"/"unwatched") and forwards everything else, Terminated included.</summary>
    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef probe)
        {
            Receive<WatchIt>(w =>
            {
                Context.Watch(w.Target);
                Sender.Tell("watching", Self);
            });
            Receive<UnwatchIt>(w =>
            {
                Context.Unwatch(w.Target);
                Sender.Tell("unwatched", Self);
            });
            ReceiveAny(m => probe.Tell(m, Sender));
        }
    }

    [Fact]
    public async Task Watch_delivers_Terminated_when_the_actor_stops()
    {
        var target = ActorOf<SilentActor>();
        var watcher = ActorOf(Props.Create(() => new Watcher(TestActor)));
        watcher.Tell(new WatchIt(target), TestActor);
        await ExpectMsgAsync("watching");

        target.Tell(PoisonPill.Instance, null);

        var terminated = await ExpectMsgAsync<Terminated>();
        Assert.Same(target, terminated.ActorRef);
        Assert.Same(target, LastSender);
    }

    [Fact]
    public async Task Every_remaining_watcher_gets_Terminated_and_one_that_unwatched_does_not()
    {
        var target = ActorOf<SilentActor>();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        var third = CreateTestProbe();
        var watchers = new[] { first, second, third }.Select(p => ActorOf(Props.Create(() => new Watcher(p.Ref)))).ToArray();
        foreach (var watcher in watchers)
        {
            watcher.Tell(new WatchIt(target), TestActor);
            await ExpectMsgAsync("watching");
        }
        watchers[0].Tell(new UnwatchIt(target), TestActor); // the first one (kept alone before the others came) leaves
        await ExpectMsgAsync("unwatched");

        target.Tell(PoisonPill.Instance, null);

        Assert.Same(target, (await second.ExpectMsgAsync<Terminated>()).ActorRef);
        Assert.Same(target, (await third.ExpectMsgAsync<Terminated>()).ActorRef);
        await first.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Watch_delivers_Terminated_also_for_an_already_dead_actor()
    {
        var target = ActorOf<SilentActor>();
        Sys.Stop(target);
        await Sys.WhenActorTerminated(target).WaitAsync(Dilated(TimeSpan.FromSeconds(3)));
        var watcher = ActorOf(Props.Create(() => new Watcher(TestActor)));

        watcher.Tell(new WatchIt(target), TestActor);

        await ExpectMsgAsync("watching");
        await ExpectMsgAsync<Terminated>(t => t.ActorRef == target);
    }

    [Fact]
    public async Task Unwatched_actor_sends_no_Terminated()
    {
        var target = ActorOf<SilentActor>();
        var watcher = ActorOf(Props.Create(() => new Watcher(TestActor)));
        watcher.Tell(new WatchIt(target), TestActor);
        await ExpectMsgAsync("watching");
        watcher.Tell(new UnwatchIt(target), TestActor);
        await ExpectMsgAsync("unwatched");

        var other = CreateTestProbe();
        Sys.Stop(target);
        await other.ExpectTerminatedAsync(target);

        watcher.Tell("marker", TestActor); // after anything the dead target could have caused
        await ExpectMsgAsync("marker");
        await ExpectNoMsgAsync();
    }

    [Fact]
    public async Task Unwatch_drops_a_Terminated_not_yet_handled()
    {
        var target = ActorOf<SilentActor>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = ActorOf(Props.Create(() => new BusyWatcher(TestActor, target, gate.Task)));
        await ExpectMsgAsync("watching and busy");

        var other = CreateTestProbe();
        Sys.Stop(target);
        await other.ExpectTerminatedAsync(target); // the watcher cannot handle its Terminated yet: it is busy
        watcher.Tell("unwatch", TestActor);
        gate.SetResult();

        await ExpectMsgAsync("unwatched");
        await ExpectNoMsgAsync();
    }

    [Fact]
    public async Task Terminated_comes_after_the_last_messages_of_the_dead_actor()
    {
        var watcher = ActorOf(Props.Create(() => new Watcher(TestActor)));
        var target = ActorOf(Props.Create(() => new LastWords(watcher)));
        watcher.Tell(new WatchIt(target), TestActor);
        await ExpectMsgAsync("watching");

        target.Tell("die", null);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"last words {i}"), (await ReceiveNAsync(100)).Cast<string>());
        await ExpectMsgAsync<Terminated>(t => t.ActorRef == target);
    }

    [Fact]
    public async Task Unhandled_Terminated_causes_DeathPactException()
    {
        var target = ActorOf<SilentActor>();
        var (_, child) = await StartSupervised(Props.Create(() => new NaiveWatcher(target)));
        var probe = CreateTestProbe();
        probe.Watch(child);

        Sys.Stop(target);

        var decided = await ExpectMsgAsync<Decided>();
        var pact = Assert.IsType<DeathPactException>(decided.Cause);
        Assert.Same(target, pact.DeadActor);
        Assert.Equal(Directive.Stop, decided.Directive); // the default decider stops on a broken death pact
        await probe.ExpectTerminatedAsync(child);
    }

    [Fact]
    public async Task A_parent_can_watch_its_child()
    {
        var (parent, child) = await StartSupervised(Props.Create(() => new SilentActor()));
        parent.Tell(new WatchIt(child), TestActor);
        await ExpectMsgAsync("watching");

        Sys.Stop(child);

        await ExpectMsgAsync<Terminated>(t => t.ActorRef == child);
    }

    private async Task<(IActorRef Parent, IActorRef Child)> StartSupervised(Props childProps)
    {
        var parent = ActorOf(Props.Create(() => new WatchingSupervisor(childProps, TestActor)));
        var created = await ExpectMsgAsync<ChildCreated>();
        return (parent, created.Child);
    }

    /// <summary>A supervisor with the default decider that reports decisions, watches on request and forwards Terminated.</summary>
    private sealed class WatchingSupervisor : ReceiveActor
    {
        public WatchingSupervisor(Props childProps, IActorRef probe)
        {
            var child = Context.ActorOf(childProps, "child");
            probe.Tell(new ChildCreated(Self, child), Self);
            Strategy = new OneForOneStrategy(cause =>
            {
                var directive = Core.Supervision.SupervisorStrategy.DefaultDecider(cause);
                probe.Tell(new Decided(cause, directive), Self);
                return directive;
            });
            Receive<WatchIt>(w =>
            {
                Context.Watch(w.Target);
                Sender.Tell("watching", Self);
            });
            Receive<Terminated>(t => probe.Tell(t, Sender));
        }

        private SupervisorStrategy Strategy { get; }

        protected internal override SupervisorStrategy SupervisorStrategy() => Strategy;
    }

    private sealed class NaiveWatcher : ReceiveActor
    {
        public NaiveWatcher(IActorRef target)
        {
            Context.Watch(target);
            Receive<string>(_ => { });
        }
    }

    private sealed class LastWords : ReceiveActor
    {
        public LastWords(IActorRef listener)
        {
            Receive<string>(_ =>
            {
                for (var i = 0; i < 100; i++) listener.Tell($"last words {i}", Self);
                Context.Stop(Self);
            });
        }
    }

    private sealed class BusyWatcher : ReceiveActor
    {
        public BusyWatcher(IActorRef probe, IActorRef target, Task gate)
        {
            Context.Watch(target);
            ReceiveAsync<string>(async _ =>
            {
                probe.Tell("watching and busy", Self);
                await gate;
            }, m => m == "busy");
            Receive<string>(_ =>
            {
                Context.Unwatch(target);
                probe.Tell("unwatched", Self);
            }, m => m == "unwatch");
            ReceiveAny(m => probe.Tell(m, Sender));
            Self.Tell("busy");
        }
    }
}
