using System.Collections.Concurrent;
using Xunit.Abstractions;

namespace Actors.Core.Tests;

public sealed class SystemTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    /// <summary>Builds a tree from a spec like "a(b(c),d)" and records its PostStop in a shared log.</summary>
    private sealed class Node : ReceiveActor
    {
        private readonly ConcurrentQueue<string> _log;

        public Node(ConcurrentQueue<string> log, IReadOnlyDictionary<string, string[]> tree)
        {
            _log = log;
            foreach (var child in tree.GetValueOrDefault(Self.Path.Name, []))
                Context.ActorOf(Props.Create(() => new Node(log, tree)), child);
            ReceiveAny(_ => { });
        }

        protected internal override void PostStop() => _log.Enqueue(Self.Path.Name);
    }

    private static readonly Dictionary<string, string[]> Tree = new()
    {
        ["a"] = ["b1", "b2"],
        ["b1"] = ["c1", "c2"],
        ["b2"] = ["c3"],
        ["c1"] = ["d"],
    };

    private static void AssertChildrenBeforeParents(IReadOnlyList<string> order)
    {
        Assert.Equal(["a", "b1", "b2", "c1", "c2", "c3", "d"], order.Order());
        foreach (var (parent, children) in Tree)
            foreach (var child in children)
                Assert.True(order.ToList().IndexOf(child) < order.ToList().IndexOf(parent), $"{child} must stop before {parent}: {string.Join(", ", order)}");
    }

    [Fact]
    public async Task An_idle_childs_path_is_made_on_first_use_once_and_equals_its_parents_path_plus_its_name()
    {
        var parent = (ActorCell)ActorOf(Props.Create<ChildMaker>(), "lazy-parent");
        Assert.Equal("created", await parent.Ask<string>("kid"));
        var child = (ActorCell)parent.Child("kid")!;
        var pathOrName = typeof(ActorCell).GetField("_pathOrName", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        Assert.Equal("kid", pathOrName.GetValue(child)); // only the name until asked
        Assert.Equal("kid", child.Name);

        // Racing first readers all get the one path that is kept.
        var paths = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => child.Path)));

        Assert.All(paths, p => Assert.Same(paths[0], p));
        Assert.Same(paths[0], child.Path);
        Assert.Same(paths[0], pathOrName.GetValue(child));
        Assert.Equal(parent.Path.Child("kid"), child.Path);
        Assert.Equal($"{parent.Path}/kid", child.Path.ToString());
        Assert.Equal("kid", child.Name);
    }

    [Fact]
    public async Task Stopping_a_parent_stops_its_children_first()
    {
        var log = new ConcurrentQueue<string>();
        var root = ActorOf(Props.Create(() => new Node(log, Tree)), "a");

        Sys.Stop(root);
        await ExpectTerminatedAsync(root);

        AssertChildrenBeforeParents(log.ToArray());
    }

    [Fact]
    public async Task Shutdown_stops_children_before_parents()
    {
        var log = new ConcurrentQueue<string>();
        ActorOf(Props.Create(() => new Node(log, Tree)), "a");

        await Sys.Terminate().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));

        AssertChildrenBeforeParents(log.ToArray());
    }

    [Fact]
    public async Task System_terminate_stops_user_actors_before_system_actors()
    {
        var log = new ConcurrentQueue<string>();
        Sys.SystemActorOf(Props.Create(() => new Node(log, new Dictionary<string, string[]>())), "runtime-service");
        ActorOf(Props.Create(() => new Node(log, new Dictionary<string, string[]> { ["app"] = ["worker"] })), "app");

        await Sys.Terminate().WaitAsync(Dilated(TimeSpan.FromSeconds(5)));

        Assert.Equal(["worker", "app", "runtime-service"], log);
        Assert.True(Sys.WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task Child_names_are_unique_among_siblings()
    {
        ActorOf<SilentActor>("same");
        Assert.Throws<InvalidActorNameException>(() => ActorOf<SilentActor>("same"));

        var parent = ActorOf(Props.Create(() => new ChildMaker()), "parent");
        Assert.Equal("created", await parent.Ask<string>("same", TimeSpan.FromSeconds(3))); // same name, other parent
        var error = await parent.Ask<Exception>("same", TimeSpan.FromSeconds(3));
        Assert.IsType<InvalidActorNameException>(error);
        Assert.Contains("not unique", error.Message);
        Assert.Equal("created", await parent.Ask<string>("other", TimeSpan.FromSeconds(3)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("$reserved")]
    [InlineData("a/b")]
    [InlineData("with space")]
    public void Invalid_names_are_rejected(string name) =>
        Assert.Throws<InvalidActorNameException>(() => ActorOf<SilentActor>(name));

    [Fact]
    public async Task Name_is_free_again_after_the_child_stopped()
    {
        var parent = ActorOf(Props.Create(() => new ChildMaker()));
        Assert.Equal("created", await parent.Ask<string>("kid", TimeSpan.FromSeconds(3)));

        // The parent stops "kid", and when it sees Terminated it makes a new one with the same name.
        Assert.Equal("created", await parent.Ask<string>(new Recreate("kid"), TimeSpan.FromSeconds(3)));

        // A top-level name is free once the guardian has seen the child go (shortly after Terminated reaches us).
        var top = ActorOf<SilentActor>("top");
        Sys.Stop(top);
        await ExpectTerminatedAsync(top);
        await AwaitAssertAsync(() => ActorOf<SilentActor>("top"));
    }

    [Fact]
    public async Task Dead_letters_are_counted_and_published()
    {
        var actor = ActorOf<SilentActor>();
        Sys.Stop(actor);
        await ExpectTerminatedAsync(actor);
        var before = Sys.DeadLetterCount;

        var letters = await ExpectDeadLettersAsync(() =>
        {
            actor.Tell("to the dead", TestActor);
            Sys.DeadLetters.Tell("straight to dead letters", null);
        }, count: 2);

        Assert.Equal(["straight to dead letters", "to the dead"], letters.Select(l => (string)l.Message).Order());
        var letter = letters.Single(l => Equals(l.Message, "to the dead"));
        Assert.Same(actor, letter.Recipient);
        Assert.Same(TestActor, letter.Sender);
        Assert.True(Sys.DeadLetterCount >= before + 2);
    }

    [Fact]
    public async Task EventStream_delivers_by_type_including_subtypes_until_unsubscribed()
    {
        var all = CreateTestProbe();
        var strings = CreateTestProbe();
        Sys.EventStream.Subscribe(all.Ref, typeof(object));
        Sys.EventStream.Subscribe(strings.Ref, typeof(string));

        Sys.EventStream.Publish("text");
        Sys.EventStream.Publish(1);

        await strings.ExpectMsgAsync("text");
        Assert.Equal(["text", 1], await all.ReceiveNAsync(2));
        Sys.EventStream.Unsubscribe(strings.Ref);
        Sys.EventStream.Publish("again");
        await all.ExpectMsgAsync("again");
        await strings.ExpectNoMsgAsync();
    }

    [Fact]
    public void Actors_cannot_be_created_with_new() =>
        Assert.Throws<ActorInitializationException>(() => new SilentActor());

    [Fact]
    public async Task Throughput_of_one_still_delivers_every_message_in_order()
    {
        await using var system = ActorSystem.Create("throughput", new ActorSystemSettings { Throughput = 1, LogSink = Sys.LogSink });
        var log = new ConcurrentQueue<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = system.ActorOf(Props.Create(() => new Logger(log, "a", gate.Task)));
        var b = system.ActorOf(Props.Create(() => new Logger(log, "b", gate.Task)));
        for (var i = 0; i < 200; i++)
        {
            a.Tell(i, null);
            b.Tell(i, null);
        }

        gate.SetResult();
        await AwaitConditionAsync(() => log.Count == 400);

        var order = log.ToArray();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"a{i}"), order.Where(s => s[0] == 'a'));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"b{i}"), order.Where(s => s[0] == 'b'));
    }

    private sealed record Recreate(string Name);

    private sealed class ChildMaker : ReceiveActor
    {
        private IActorRef? _replyTo;
        private string? _pendingName;

        public ChildMaker()
        {
            Receive<string>(name =>
            {
                try
                {
                    Context.ActorOf(Props.Create<SilentActor>(), name);
                    Sender.Tell("created", Self);
                }
                catch (InvalidActorNameException e)
                {
                    Sender.Tell(e, Self);
                }
            });
            Receive<Recreate>(r =>
            {
                var child = Context.Child(r.Name)!;
                Context.Watch(child);
                Context.Stop(child);
                (_replyTo, _pendingName) = (Sender, r.Name);
            });
            Receive<Terminated>(_ =>
            {
                Context.ActorOf(Props.Create<SilentActor>(), _pendingName);
                _replyTo!.Tell("created", Self);
            });
        }
    }

    /// <summary>Logs each message; the first one waits for the gate so both mailboxes fill up first.</summary>
    private sealed class Logger : ReceiveActor
    {
        public Logger(ConcurrentQueue<string> log, string name, Task gate)
        {
            ReceiveAsync<int>(async n =>
            {
                if (n == 0) await gate;
                log.Enqueue($"{name}{n}");
            });
        }
    }
}
