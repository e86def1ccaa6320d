using Xunit.Abstractions;

namespace Actors.Core.Tests;

public sealed class StashTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    [Fact]
    public async Task Stash_and_unstash_keep_the_original_order()
    {
        var actor = ActorOf(Props.Create(() => new Gate(TestActor)));

        foreach (var m in new object[] { 1, 2, 3, "open" }) actor.Tell(m, null);

        // 100 and 101 were in the mailbox (sent by the actor to itself) before UnstashAll: the unstashed come first.
        Assert.Equal([1, 2, 3, 100, 101], await ReceiveNAsync(5));
        actor.Tell(4, null);
        await ExpectMsgAsync(4);
    }

    [Fact]
    public async Task Unstash_puts_back_only_the_oldest()
    {
        var actor = ActorOf(Props.Create(() => new Gate(TestActor)));

        foreach (var m in new object[] { 1, 2, 3, "one" }) actor.Tell(m, null);

        await ExpectMsgAsync(1);
        await ExpectNoMsgAsync();
        actor.Tell("open", null);
        Assert.Equal([2, 3, 100, 101], await ReceiveNAsync(4));
    }

    [Fact]
    public async Task The_same_message_object_can_be_stashed_twice_in_a_row()
    {
        var actor = ActorOf(Props.Create(() => new Gate(TestActor)));

        actor.Tell(Tick.Instance, null);
        actor.Tell(Tick.Instance, null);
        actor.Tell("same", null); // interned: one object for both sends
        actor.Tell("same", null);
        actor.Tell("open", null);

        Assert.Equal([Tick.Instance, Tick.Instance, "same", "same", 100, 101], await ReceiveNAsync(6));
    }

    [Fact]
    public async Task Stashing_the_current_message_twice_is_refused()
    {
        var actor = ActorOf(Props.Create(() => new DoubleStasher(TestActor)));

        actor.Tell("x", null);

        var error = await ExpectMsgAsync<InvalidOperationException>();
        Assert.Contains("already stashed", error.Message);
    }

    [Fact]
    public async Task Stashed_messages_survive_a_restart()
    {
        var counter = new InstanceCounter();
        var actor = ActorOf(Props.Create(() => new StashUntilRestart(TestActor, counter)));

        foreach (var m in new object[] { 1, 2, "boom", 3 }) actor.Tell(m, null);

        Assert.Equal([1, 2, 3], await ReceiveNAsync(3));
        Assert.Equal(2, counter.Count);
    }

    [Fact]
    public async Task Stashed_messages_become_dead_letters_when_the_actor_stops()
    {
        var actor = ActorOf(Props.Create(() => new Gate(TestActor)));

        var letters = await ExpectDeadLettersAsync(() =>
        {
            actor.Tell(1, TestActor);
            actor.Tell(2, TestActor);
            actor.Tell(PoisonPill.Instance, null);
        }, count: 2);

        Assert.Equal([1, 2], letters.Select(l => l.Message));
        Assert.All(letters, l => Assert.Same(actor, l.Recipient));
        Assert.All(letters, l => Assert.Same(TestActor, l.Sender));
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
        public override string ToString() => "Tick";
    }

    /// <summary>Stashes everything until "open" (all back) or "one" (the oldest back); then forwards everything.</summary>
    private sealed class Gate : ReceiveActor, IWithStash
    {
        public IStash Stash { get; set; } = null!;

        public Gate(IActorRef probe)
        {
            Receive<string>(_ =>
            {
                Become(() => ReceiveAny(m => probe.Tell(m, Sender)));
                Self.Tell(100);
                Self.Tell(101);
                Stash.UnstashAll();
            }, m => m == "open");
            Receive<string>(_ =>
            {
                Stash.Unstash();
                BecomeStacked(() =>
                {
                    Receive<string>(_ => throw new InvalidOperationException("unreachable"), m => m == "never");
                    ReceiveAny(m =>
                    {
                        probe.Tell(m, Sender);
                        UnbecomeStacked();
                    });
                });
            }, m => m == "one");
            ReceiveAny(_ => Stash.Stash());
        }
    }

    private sealed class DoubleStasher : ReceiveActor, IWithStash
    {
        public IStash Stash { get; set; } = null!;

        public DoubleStasher(IActorRef probe)
        {
            ReceiveAny(_ =>
            {
                Stash.Stash();
                try { Stash.Stash(); }
                catch (InvalidOperationException e) { probe.Tell(e, Self); }
            });
        }
    }

    private sealed class StashUntilRestart : ReceiveActor, IWithStash
    {
        public IStash Stash { get; set; } = null!;

        public StashUntilRestart(IActorRef probe, InstanceCounter counter)
        {
            if (counter.Next() == 1)
            {
                Receive<string>(_ => throw new BoomException(), m => m == "boom");
                ReceiveAny(_ => Stash.Stash());
            }
            else
            {
                ReceiveAny(m => probe.Tell(m, Sender));
            }
        }
    }
}
