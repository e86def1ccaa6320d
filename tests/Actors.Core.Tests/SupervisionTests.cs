using Actors.Core.Supervision;
using Xunit.Abstractions;

namespace Actors.Core.Tests;

public sealed class SupervisionTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private async Task<(IActorRef Supervisor, IActorRef Child)> StartSupervised(Props childProps, Func<Exception, Directive> decider,
        int maxNrOfRetries = -1, TimeSpan? within = null)
    {
        var supervisor = ActorOf(Props.Create(() => new Supervisor(childProps, TestActor, decider, maxNrOfRetries, within)));
        var created = await ExpectMsgAsync<ChildCreated>();
        return (supervisor, created.Child);
    }

    [Fact]
    public async Task Restart_directive_replaces_the_instance_and_keeps_the_mailbox()
    {
        var counter = new InstanceCounter();
        var (_, child) = await StartSupervised(Props.Create(() => new Worker(counter, null)), _ => Directive.Restart);

        child.Tell(1, TestActor);
        await ExpectMsgAsync(new State(1, 1));

        child.Tell("boom", TestActor);
        child.Tell(2, TestActor); // waiting in the mailbox while the child fails and restarts
        child.Tell(3, TestActor);

        await ExpectMsgAsync<Decided>(d => d.Cause is BoomException && d.Directive == Directive.Restart);
        await ExpectMsgAsync(new State(2, 2)); // a fresh instance: the total starts again
        await ExpectMsgAsync(new State(2, 5));
        Assert.Same(child, LastSender); // the same reference survives the restart
    }

    [Fact]
    public async Task Resume_keeps_state()
    {
        var counter = new InstanceCounter();
        var (_, child) = await StartSupervised(Props.Create(() => new Worker(counter, null)), _ => Directive.Resume);

        child.Tell(1, TestActor);
        child.Tell("boom", TestActor);
        child.Tell(2, TestActor);

        await ExpectMsgAsync(new State(1, 1));
        await ExpectMsgAsync<Decided>(d => d.Directive == Directive.Resume);
        await ExpectMsgAsync(new State(1, 3));
        Assert.Equal(1, counter.Count);
    }

    [Fact]
    public async Task Stop_directive_stops_the_child()
    {
        var counter = new InstanceCounter();
        var (supervisor, child) = await StartSupervised(Props.Create(() => new Worker(counter, null)), _ => Directive.Stop);
        var watcher = CreateTestProbe();
        watcher.Watch(child);

        child.Tell("boom", TestActor);

        await ExpectMsgAsync<Decided>(d => d.Directive == Directive.Stop);
        await watcher.ExpectTerminatedAsync(child);
        await ExpectDeadLettersAsync(() => child.Tell(1, TestActor), match: d => Equals(d.Message, 1));
        supervisor.Tell("state", TestActor); // the parent lives on (the message goes to the dead child)
        await ExpectNoMsgAsync();
        Assert.False(Sys.WhenActorTerminated(supervisor).IsCompleted);
    }

    [Fact]
    public async Task Escalate_fails_the_parent()
    {
        var counter = new InstanceCounter();
        var workerProps = Props.Create(() => new Worker(counter, null));
        var middleProps = Props.Create(() => new Supervisor(workerProps, TestActor, _ => Directive.Escalate, -1, null));
        var top = ActorOf(Props.Create(() => new Supervisor(middleProps, TestActor, _ => Directive.Stop, -1, null)));

        var created = (await ReceiveNAsync(2)).Cast<ChildCreated>().ToArray();
        var middle = created.Single(c => c.Parent == top).Child;
        var worker = created.Single(c => c.Parent == middle).Child;
        var watcher = CreateTestProbe();

        worker.Tell("boom", TestActor);

        var escalated = await ExpectMsgAsync<Decided>(d => d.Directive == Directive.Escalate);
        var decidedByTop = await ExpectMsgAsync<Decided>(d => d.Directive == Directive.Stop);
        Assert.Same(escalated.Cause, decidedByTop.Cause); // the top supervisor decides about the worker's failure
        await watcher.ExpectTerminatedAsync(middle);
        await watcher.ExpectTerminatedAsync(worker); // stopping the failed parent stopped its child
        Assert.False(Sys.WhenActorTerminated(top).IsCompleted);
    }

    [Fact]
    public async Task Max_retries_within_window_then_stop()
    {
        var counter = new InstanceCounter();
        var (_, child) = await StartSupervised(Props.Create(() => new Worker(counter, null)), _ => Directive.Restart,
            maxNrOfRetries: 2, within: TimeSpan.FromMinutes(1));
        var watcher = CreateTestProbe();
        watcher.Watch(child);

        for (var i = 0; i < 3; i++) child.Tell("boom", TestActor);

        await watcher.ExpectTerminatedAsync(child);
        Assert.Equal(3, counter.Count); // the first instance and two restarts
        Assert.Equal(3, (await ReceiveNAsync(3)).OfType<Decided>().Count());
    }

    [Fact]
    public async Task Failing_child_never_stops_its_siblings_or_the_system()
    {
        var counter = new InstanceCounter();
        var parent = ActorOf(Props.Create(() => new TwoChildren(TestActor, counter)));
        var children = (await ReceiveNAsync(2)).Cast<ChildCreated>().Select(c => c.Child).ToArray();
        var (failing, sibling) = (children.Single(c => c.Path.Name == "failing"), children.Single(c => c.Path.Name == "sibling"));

        for (var i = 0; i < 5; i++) failing.Tell("boom", TestActor);
        for (var i = 1; i <= 3; i++) sibling.Tell(i, TestActor);

        await FishForMessageAsync<State>(s => s.Total == 6);
        failing.Tell(10, TestActor);
        await FishForMessageAsync<State>(s => s.Total == 10 && s.Instance > 2); // restarted 5 times, still working
        Assert.False(Sys.WhenActorTerminated(parent).IsCompleted);

        // A top-level actor that cannot even be created is stopped; the system goes on.
        var broken = ActorOf(Props.Create(() => new FailingConstructor()));
        await ExpectTerminatedAsync(broken);
        var healthy = ActorOf(Props.Create(() => new Worker(new InstanceCounter(), null)));
        healthy.Tell(1, TestActor);
        await FishForMessageAsync<State>(s => s == new State(1, 1));
        Assert.False(Sys.WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task Lifecycle_hooks_run_in_order_on_restart()
    {
        var lifecycle = CreateTestProbe();
        var counter = new InstanceCounter();
        var (_, child) = await StartSupervised(Props.Create(() => new Worker(counter, lifecycle.Ref)), _ => Directive.Restart);
        await lifecycle.ExpectMsgAsync("PreStart:1");

        child.Tell("boom", TestActor);

        // The default PreRestart calls PostStop on the old instance, the default PostRestart calls PreStart on the new one.
        Assert.Equal(["PreRestart(boom):1", "PostStop:1", "PostRestart(BoomException):2", "PreStart:2"], await lifecycle.ReceiveNAsync(4));
        Sys.Stop(child);
        await lifecycle.ExpectMsgAsync("PostStop:2");
        await lifecycle.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task Kill_stops_the_actor_by_default()
    {
        var counter = new InstanceCounter();
        var (_, child) = await StartSupervised(Props.Create(() => new Worker(counter, null)), SupervisorStrategy.DefaultDecider);

        child.Tell(Kill.Instance, null);

        var decided = await ExpectMsgAsync<Decided>();
        Assert.IsType<ActorKilledException>(decided.Cause);
        Assert.Equal(Directive.Stop, decided.Directive);
        await ExpectTerminatedAsync(child);
    }

    [Fact]
    public async Task A_failing_constructor_is_reported_as_ActorInitializationException_and_stops()
    {
        var (_, child) = await StartSupervised(Props.Create(() => new FailingConstructor()), SupervisorStrategy.DefaultDecider);

        var decided = await ExpectMsgAsync<Decided>();
        var error = Assert.IsType<ActorInitializationException>(decided.Cause);
        Assert.IsType<BoomException>(error.InnerException);
        Assert.Equal(Directive.Stop, decided.Directive);
        await ExpectTerminatedAsync(child);
    }

    [Fact]
    public async Task An_exception_after_await_in_an_async_handler_goes_to_the_supervisor()
    {
        var (_, child) = await StartSupervised(Props.Create(() => new AsyncFailer()), _ => Directive.Resume);

        child.Tell("fail later", TestActor);
        child.Tell("ping", TestActor);

        var decided = await ExpectMsgAsync<Decided>();
        Assert.Equal("failed after await", decided.Cause.Message);
        await ExpectMsgAsync("pong");
    }

    [Fact]
    public async Task Default_PreRestart_stops_the_children_and_frees_their_names()
    {
        var counter = new InstanceCounter();
        var parent = ActorOf(Props.Create(() => new RestartingParent(TestActor, counter)));
        var oldChild = (await ExpectMsgAsync<ChildCreated>()).Child;
        var watcher = CreateTestProbe();
        watcher.Watch(oldChild);

        parent.Tell("boom", TestActor); // the guardian restarts it; the new instance makes "kid" again

        await watcher.ExpectTerminatedAsync(oldChild);
        var newChild = (await ExpectMsgAsync<ChildCreated>()).Child;
        Assert.NotSame(oldChild, newChild);
        Assert.Equal(oldChild.Path, newChild.Path);
        newChild.Tell(1, TestActor);
        await ExpectMsgAsync(new State(2, 1));
    }

    [Fact]
    public async Task Restart_completes_when_PreRestart_keeps_the_children()
    {
        var counter = new InstanceCounter();
        var parent = ActorOf(Props.Create(() => new KeepChildrenParent(TestActor, counter)));
        var child = (await ExpectMsgAsync<ChildCreated>()).Child;

        parent.Tell("boom", TestActor);
        parent.Tell("children", TestActor);

        var children = await ExpectMsgAsync<string[]>();
        Assert.Equal(["kept"], children);
        child.Tell(1, TestActor);
        await ExpectMsgAsync(new State(1, 1)); // the same child instance, untouched by its parent's restart
    }

    private sealed class FailingConstructor : ReceiveActor
    {
        public FailingConstructor() => throw new BoomException("constructor failed");
    }

    private sealed class AsyncFailer : ReceiveActor
    {
        public AsyncFailer()
        {
            ReceiveAsync<string>(async _ =>
            {
                await Task.Yield();
                throw new InvalidOperationException("failed after await");
            }, m => m == "fail later");
            Receive<string>(_ => Sender.Tell("pong", Self), m => m == "ping");
        }
    }

    private sealed class TwoChildren : ReceiveActor
    {
        public TwoChildren(IActorRef probe, InstanceCounter counter)
        {
            probe.Tell(new ChildCreated(Self, Context.ActorOf(Props.Create(() => new Worker(counter, null)), "failing")), Self);
            probe.Tell(new ChildCreated(Self, Context.ActorOf(Props.Create(() => new Worker(new InstanceCounter(), null)), "sibling")), Self);
        }
    }

    /// <summary>Makes a child "kid" in its constructor: a restart (default PreRestart) must free the name for the new instance.</summary>
    private sealed class RestartingParent : ReceiveActor
    {
        public RestartingParent(IActorRef probe, InstanceCounter counter)
        {
            probe.Tell(new ChildCreated(Self, Context.ActorOf(Props.Create(() => new Worker(counter, null)), "kid")), Self);
            Receive<string>(_ => throw new BoomException(), m => m == "boom");
        }
    }

    /// <summary>Keeps its children over a restart (Akka's documented pattern): creates them in PreStart, not again in PostRestart.</summary>
    private sealed class KeepChildrenParent : ReceiveActor
    {
        private readonly IActorRef _probe;
        private readonly InstanceCounter _counter;

        public KeepChildrenParent(IActorRef probe, InstanceCounter counter)
        {
            _probe = probe;
            _counter = counter;
            Receive<string>(_ => throw new BoomException(), m => m == "boom");
            Receive<string>(_ => Sender.Tell(Context.Children.Select(c => c.Path.Name).ToArray(), Self), m => m == "children");
        }

        protected internal override void PreStart() =>
            _probe.Tell(new ChildCreated(Self, Context.ActorOf(Props.Create(() => new Worker(_counter, null)), "kept")), Self);

        protected internal override void PreRestart(Exception reason, object? message) { } // keep the children

        protected internal override void PostRestart(Exception reason) { } // and do not create them again
    }
}
