using Xunit.Abstractions;
using Actors.TestKit;

namespace Actors.Core.Tests;

public sealed class MessagingTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public async Task An_idle_actor_does_not_keep_its_last_message_or_sender_alive()
    {
        var actor = ActorOf(Props.Create(() => new ForwardActor(TestActor)));
        var (message, sender) = await SendThroughAsync(actor);

        // The actor is idle now; the runtime must not hold on to what it handled last.
        await AwaitAssertAsync(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Assert.False(message.IsAlive, "the last message is still referenced");
            Assert.False(sender.IsAlive, "the last sender is still referenced");
        });
    }

    // Not inlined, so no local of this frame keeps the message or its sender alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private async Task<(WeakReference Message, WeakReference Sender)> SendThroughAsync(IActorRef actor)
    {
        object message = new object[] { "payload" };
        IActorRef sender = new DiscardingRef();
        var weak = (new WeakReference(message), new WeakReference(sender));
        actor.Tell(message, sender);
        await ExpectMsgAsync<object[]>(m => ReferenceEquals(m, weak.Item1.Target));
        message = sender = null!; // hoisted into this method's state machine: let go of them here

        // The TestKit remembers the last message it received (and its sender): make that another one.
        actor.Tell("flush", null);
        await ExpectMsgAsync("flush");
        return weak;
    }

    private sealed class DiscardingRef : IActorRef
    {
        public ActorPath Path { get; } = ActorPath.Root("test").Child("discarding");
        public void Tell(object message, IActorRef? sender) { }
    }

    [Fact]
    public async Task Messages_from_one_sender_arrive_in_order()
    {
        var actor = ActorOf(Props.Create(() => new ForwardActor(TestActor)));
        const int senders = 4, perSender = 500;

        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < perSender; i++) actor.Tell((s, i), null);
        })));

        var received = await ReceiveNAsync(senders * perSender);
        foreach (var group in received.Cast<(int Sender, int N)>().GroupBy(m => m.Sender))
            Assert.Equal(Enumerable.Range(0, perSender), group.Select(m => m.N));
    }

    [Fact]
    public async Task Only_one_message_at_a_time_runs_inside_an_actor()
    {
        var actor = ActorOf<OverlapDetector>();
        const int senders = 8, perSender = 2_000;

        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < perSender; i++) actor.Tell(i, null);
        })));

        var (handled, overlaps) = await actor.Ask<(int, int)>("report", TimeSpan.FromSeconds(10));
        Assert.Equal(0, overlaps);
        Assert.Equal(senders * perSender, handled);
    }

    [Fact]
    public async Task Async_handlers_never_overlap_even_when_their_tasks_complete_at_once()
    {
        const int actors = 16, perActor = 300;
        var refs = Enumerable.Range(0, actors).Select(_ => ActorOf<AsyncOverlapDetector>()).ToArray();

        await Task.WhenAll(refs.Select(a => Task.Run(() =>
        {
            for (var i = 0; i < perActor; i++) a.Tell(i, null);
        })));

        foreach (var a in refs)
        {
            var (handled, overlaps) = await a.Ask<(int, int)>("report", TimeSpan.FromSeconds(10));
            Assert.Equal(0, overlaps);
            Assert.Equal(perActor, handled);
        }
    }

    [Fact]
    public async Task Async_handler_suspends_the_mailbox_until_it_completes()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = ActorOf(Props.Create(() => new GatedActor(TestActor, gate.Task)));

        actor.Tell("first", null);
        actor.Tell("second", null);

        await ExpectMsgAsync("start first");
        await ExpectNoMsgAsync();
        gate.SetResult();
        await ExpectMsgAsync("end first");
        await ExpectMsgAsync("start second");
        await ExpectMsgAsync("end second");
    }

    [Fact]
    public async Task Sender_stays_the_same_across_await_in_an_async_handler()
    {
        var actor = ActorOf<AsyncReplier>();
        var probes = Enumerable.Range(0, 5).Select(_ => CreateTestProbe()).ToArray();

        for (var i = 0; i < probes.Length; i++) actor.Tell(i, probes[i].Ref);

        for (var i = 0; i < probes.Length; i++) await probes[i].ExpectMsgAsync($"reply {i}");
    }

    [Fact]
    public async Task Become_and_unbecome_switch_handlers()
    {
        var actor = ActorOf<MoodActor>();
        var unhandled = CreateTestProbe();
        unhandled.Subscribe<UnhandledMessage>();

        async Task<string> Mood() => await actor.Ask<string>("mood", TimeSpan.FromSeconds(3));

        Assert.Equal("neutral", await Mood());
        actor.Tell("happy", null);
        Assert.Equal("happy", await Mood());
        actor.Tell("sad", null); // stacked on top of happy
        Assert.Equal("sad", await Mood());
        actor.Tell("unbecome", null);
        Assert.Equal("happy", await Mood());
        actor.Tell("unbecome", null);
        Assert.Equal("neutral", await Mood());
        actor.Tell("angry", null); // replaces, forgets the stack
        Assert.Equal("angry", await Mood());
        actor.Tell("unbecome", null); // angry does not know it
        Assert.Equal("angry", await Mood());
        await unhandled.ExpectMsgAsync<UnhandledMessage>(u => Equals(u.Message, "unbecome"));
    }

    [Fact]
    public async Task UntypedActor_become_stacked_and_unbecome()
    {
        var actor = ActorOf<CountingUntyped>();

        actor.Tell("which", TestActor);
        actor.Tell("switch", TestActor);
        actor.Tell("which", TestActor);
        actor.Tell("back", TestActor);
        actor.Tell("which", TestActor);

        Assert.Equal(["initial", "switched", "initial"], await ReceiveNAsync(3));
    }

    [Fact]
    public async Task Forward_keeps_the_original_sender()
    {
        var last = CreateTestProbe();
        var middle = ActorOf(Props.Create(() => new ForwardActor(last.Ref)));

        middle.Tell("via middle", TestActor);

        await last.ExpectMsgAsync("via middle");
        Assert.Same(TestActor, last.LastSender);
    }

    [Fact]
    public async Task Tell_from_inside_an_actor_uses_the_actor_as_sender()
    {
        var replier = ActorOf<AsyncReplier>();
        var asker = ActorOf(Props.Create(() => new ImplicitSender(replier, TestActor)));

        asker.Tell("go", null);

        await ExpectMsgAsync("reply 7");
        Assert.Same(replier, LastSender);
    }

    [Fact]
    public async Task Unhandled_messages_are_counted_and_published()
    {
        var actor = ActorOf<MoodActor>();
        var before = Sys.UnhandledCount;

        var events = await ExpectEventsAsync<UnhandledMessage>(() => actor.Tell(42, TestActor));

        Assert.Equal(42, events[0].Message);
        Assert.Same(actor, events[0].Recipient);
        Assert.Same(TestActor, events[0].Sender);
        Assert.True(Sys.UnhandledCount > before);
    }

    private sealed class OverlapDetector : ReceiveActor
    {
        private int _inside, _overlaps, _handled;

        public OverlapDetector()
        {
            Receive<int>(_ =>
            {
                if (Interlocked.Increment(ref _inside) != 1) Interlocked.Increment(ref _overlaps);
                Thread.SpinWait(20);
                _handled++; // not atomic on purpose: overlapping handlers would lose counts
                Interlocked.Decrement(ref _inside);
            });
            Receive<string>(_ => Sender.Tell((_handled, Volatile.Read(ref _overlaps)), Self));
        }
    }

    private sealed class AsyncOverlapDetector : ReceiveActor
    {
        private int _inside, _overlaps, _handled;

        public AsyncOverlapDetector()
        {
            ReceiveAsync<int>(async n =>
            {
                if (Interlocked.Increment(ref _inside) != 1) Interlocked.Increment(ref _overlaps);
                if (n % 2 == 0) await Task.Yield(); // completes on another thread almost at once
                else await Task.CompletedTask;
                _handled++;
                Interlocked.Decrement(ref _inside);
            });
            Receive<string>(_ => Sender.Tell((_handled, Volatile.Read(ref _overlaps)), Self));
        }
    }

    private sealed class GatedActor : ReceiveActor
    {
        public GatedActor(IActorRef probe, Task gate)
        {
            ReceiveAsync<string>(async m =>
            {
                probe.Tell($"start {m}", Self);
                if (m == "first") await gate;
                probe.Tell($"end {m}", Self);
            });
        }
    }

    private sealed class AsyncReplier : ReceiveActor
    {
        public AsyncReplier()
        {
            ReceiveAsync<int>(async n =>
            {
                await Task.Delay(n % 3);
                await Task.Yield();
                Sender.Tell($"reply {n}", Self);
            });
        }
    }

    private sealed class ImplicitSender : ReceiveActor
    {
        public ImplicitSender(IActorRef replier, IActorRef probe)
        {
            Receive<string>(_ => replier.Tell(7), m => m == "go");
            Receive<string>(m => probe.Tell(m, Sender));
        }
    }

    private sealed class MoodActor : ReceiveActor
    {
        public MoodActor()
        {
            Receive<string>(_ => Sender.Tell("neutral", Self), m => m == "mood");
            Receive<string>(_ => BecomeStacked(Happy), m => m == "happy");
            Receive<string>(_ => Become(Angry), m => m == "angry");
            Receive<string>(_ => UnbecomeStacked(), m => m == "unbecome");
        }

        private void Happy()
        {
            Receive<string>(_ => Sender.Tell("happy", Self), m => m == "mood");
            Receive<string>(_ => BecomeStacked(Sad), m => m == "sad");
            Receive<string>(_ => UnbecomeStacked(), m => m == "unbecome");
        }

        private void Sad()
        {
            Receive<string>(_ => Sender.Tell("sad", Self), m => m == "mood");
            Receive<string>(_ => UnbecomeStacked(), m => m == "unbecome");
        }

        private void Angry() => Receive<string>(_ => Sender.Tell("angry", Self), m => m == "mood");
    }

    private sealed class CountingUntyped : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case "which": Sender.Tell("initial", Self); break;
                case "switch": BecomeStacked(Switched); break;
                default: Unhandled(message); break;
            }
        }

        private void Switched(object message)
        {
            switch (message)
            {
                case "which": Sender.Tell("switched", Self); break;
                case "back": UnbecomeStacked(); break;
                default: Unhandled(message); break;
            }
        }
    }
}
