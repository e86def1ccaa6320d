using Actors.Core;
using Xunit.Abstractions;

namespace Actors.TestKit.Tests;

public sealed class ProbeTests(ITestOutputHelper output) : TestKit(output)
{
    [Fact]
    public async Task Probes_have_their_own_queues()
    {
        var a = CreateTestProbe("a");
        var b = CreateTestProbe();

        a.Tell("for a");
        b.Ref.Tell("for b", null);

        Assert.Equal("for a", await a.ExpectMsgAsync<string>());
        Assert.Equal("for b", await b.ExpectMsgAsync<string>());
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(20));
        Assert.EndsWith("/system/a", a.Ref.Path.ToString());
    }

    [Fact]
    public async Task Reply_answers_the_last_sender_and_Forward_keeps_it()
    {
        var client = CreateTestProbe("client");
        var server = CreateTestProbe("server");
        var backend = CreateTestProbe("backend");

        client.Send(server.Ref, new Ping(1));
        await server.ExpectMsgAsync(new Ping(1));
        Assert.Same(client.Ref, server.LastSender);

        server.Forward(backend.Ref);
        await backend.ExpectMsgAsync(new Ping(1));
        Assert.Same(client.Ref, backend.LastSender);

        backend.Reply(new Pong(1));
        await client.ExpectMsgAsync(new Pong(1));
        Assert.Same(backend.Ref, client.LastSender);
    }

    [Fact]
    public async Task Messages_without_a_sender_have_dead_letters_as_sender()
    {
        TestActor.Tell("anonymous", null);
        await ExpectMsgAsync("anonymous");
        Assert.Same(Sys.DeadLetters, LastSender);
    }

    [Fact]
    public void LastSender_before_any_message_is_an_error() =>
        Assert.Throws<InvalidOperationException>(() => CreateTestProbe().LastSender);

    [Fact]
    public async Task ExpectTerminated_watches_and_expects_the_Terminated()
    {
        var probe = CreateTestProbe();
        var actor = ActorOf<SilentActor>();
        Sys.Stop(actor);

        var terminated = await probe.ExpectTerminatedAsync(actor);
        Assert.Same(actor, terminated.ActorRef);
        Assert.Same(actor, probe.LastSender);
    }

    [Fact]
    public async Task ExpectTerminated_fails_when_another_message_comes_first()
    {
        var actor = ActorOf<SilentActor>();
        TestActor.Tell("not terminated", null);
        await AwaitConditionAsync(() => HasMessages);

        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectTerminatedAsync(actor, TimeSpan.FromMilliseconds(100)));
        Assert.Contains($"Terminated of {actor.Path}", error.Message);
        Assert.Contains("\"not terminated\"", error.Message);
    }

    [Fact]
    public async Task Unwatch_stops_the_Terminated()
    {
        var actor = ActorOf<SilentActor>();
        Watch(actor);
        Unwatch(actor);
        var other = CreateTestProbe();
        Sys.Stop(actor);

        await other.ExpectTerminatedAsync(actor);
        await ExpectNoMsgAsync();
    }

    [Fact]
    public async Task ExpectDeadLetters_catches_messages_to_stopped_actors()
    {
        var actor = ActorOf<SilentActor>();
        Sys.Stop(actor);
        await ExpectTerminatedAsync(actor);

        var letters = await ExpectDeadLettersAsync(() => actor.Tell("lost", TestActor), match: d => d.Message is "lost");

        var letter = Assert.Single(letters);
        Assert.Same(actor, letter.Recipient);
        Assert.Same(TestActor, letter.Sender);
    }

    [Fact]
    public async Task ExpectEvents_fails_when_the_events_do_not_come()
    {
        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() =>
            ExpectEventsAsync<UnhandledMessage>(() => { }, timeout: TimeSpan.FromMilliseconds(30)));
        Assert.Contains("waiting for 1 UnhandledMessage events", error.Message);
    }

    [Fact]
    public async Task A_probe_subscribed_to_the_event_stream_receives_events()
    {
        var probe = CreateTestProbe();
        probe.Subscribe<UnhandledMessage>();
        var actor = ActorOf(Props.Create(() => new IgnoringActor()));

        actor.Tell(42, null);

        var unhandled = await probe.ExpectMsgAsync<UnhandledMessage>();
        Assert.Equal(42, unhandled.Message);
        probe.Unsubscribe();
    }

    [Fact]
    public void Each_test_gets_its_own_system_with_a_unique_name()
    {
        Assert.StartsWith("ProbeTests-", Sys.Name);
        Assert.True(int.TryParse(Sys.Name["ProbeTests-".Length..], out _));
    }

    private sealed class IgnoringActor : ReceiveActor
    {
        public IgnoringActor() => Receive<string>(_ => { });
    }
}

public sealed class LifetimeTests
{
    private sealed class Kit : TestKit
    {
        public Kit() : base(null, new TestKitSettings { ShutdownTimeout = TimeSpan.FromSeconds(5) }, null, "lifetime-test") { }
    }

    [Fact]
    public async Task Disposing_the_kit_terminates_its_system()
    {
        var kit = new Kit();
        await kit.InitializeAsync();
        var actor = kit.ActorOf<SilentActor>();
        Assert.Equal("lifetime-test", kit.Sys.Name);

        await kit.DisposeAsync();

        Assert.True(kit.Sys.WhenTerminated.IsCompleted);
        Assert.True(kit.Sys.WhenActorTerminated(actor).IsCompleted);
    }
}
