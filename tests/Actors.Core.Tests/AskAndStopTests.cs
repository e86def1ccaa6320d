using Xunit.Abstractions;

namespace Actors.Core.Tests;

public sealed class AskAndStopTests(ITestOutputHelper output) : TestKit.TestKit(output)
{
    private sealed class Answerer : ReceiveActor
    {
        public Answerer(IActorRef? lifecycle = null)
        {
            Receive<int>(n => Sender.Tell(n * 2, Self));
            Receive<string>(_ => Sender.Tell(new Status.Failure(new InvalidOperationException("refused")), Self), m => m == "fail");
            Receive<string>(_ => Sender.Tell("text", Self), m => m == "text");
            Receive<string>(_ => { }, m => m == "ignore");
            Receive<string>(m => lifecycle?.Tell(m, Self));
            _lifecycle = lifecycle;
        }

        private readonly IActorRef? _lifecycle;

        protected internal override void PostStop() => _lifecycle?.Tell("PostStop", Self);
    }

    [Fact]
    public async Task Ask_returns_the_reply()
    {
        var actor = ActorOf(Props.Create(() => new Answerer(null)));

        Assert.Equal(42, await actor.Ask<int>(21, TimeSpan.FromSeconds(3)));
        Assert.Equal(4, await actor.Ask(2, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task Ask_times_out_with_AskTimeoutException()
    {
        var actor = ActorOf(Props.Create(() => new Answerer(null)));

        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => actor.Ask<string>("ignore", TimeSpan.FromMilliseconds(50)));

        Assert.Contains(actor.Path.ToString(), error.Message);
    }

    [Fact]
    public async Task Ask_to_a_stopped_actor_times_out_and_the_question_is_a_dead_letter()
    {
        var actor = ActorOf(Props.Create(() => new Answerer(null)));
        Sys.Stop(actor);
        await ExpectTerminatedAsync(actor);

        await ExpectDeadLettersAsync(async () =>
            await Assert.ThrowsAsync<AskTimeoutException>(() => actor.Ask<int>(1, TimeSpan.FromMilliseconds(30))));
    }

    [Fact]
    public async Task Asks_share_timer_slots_yet_time_out_no_earlier_than_their_own_timeout()
    {
        var actor = ActorOf(Props.Create(() => new Answerer(null)));
        var started = System.Diagnostics.Stopwatch.StartNew();
        // Unanswered asks with timeouts a few milliseconds apart (several per 10 ms slot), and answered ones among them.
        var unanswered = Enumerable.Range(0, 40).Select(async i =>
        {
            var timeout = TimeSpan.FromMilliseconds(40 + i);
            var asked = System.Diagnostics.Stopwatch.StartNew();
            await Assert.ThrowsAsync<AskTimeoutException>(() => actor.Ask<string>("ignore", timeout));
            return asked.Elapsed >= timeout - TimeSpan.FromMilliseconds(1); // deadlines are kept in whole milliseconds
        }).ToArray();
        var answered = Enumerable.Range(0, 40).Select(i => actor.Ask<int>(i, TimeSpan.FromMilliseconds(40 + i))).ToArray();

        Assert.All(await Task.WhenAll(unanswered), Assert.True);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i * 2), await Task.WhenAll(answered));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");

        // Zero times out at once unless the reply is already there; infinite waits for the reply.
        await Assert.ThrowsAsync<AskTimeoutException>(() => actor.Ask<string>("ignore", TimeSpan.Zero));
        Assert.Equal(6, await actor.Ask<int>(3, Timeout.InfiniteTimeSpan));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => actor.Ask<int>(3, TimeSpan.FromMilliseconds(-5)));
    }

    [Fact]
    public async Task Ask_honours_cancellation()
    {
        var actor = ActorOf(Props.Create(() => new Answerer(null)));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));

        await WithinAsync(TimeSpan.FromSeconds(2), () =>
            Assert.ThrowsAnyAsync<OperationCanceledException>(() => actor.Ask<string>("ignore", TimeSpan.FromSeconds(30), cts.Token)));

        // Already cancelled: nothing is sent, so nothing is asked (and a quick reply cannot win over the cancellation).
        var probe = CreateTestProbe();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe.Ref.Ask<int>(1, TimeSpan.FromSeconds(30), cancelled.Token));
        await probe.ExpectNoMsgAsync();
    }

    [Fact]
    public async Task Ask_rethrows_Status_Failure()
    {
        var actor = ActorOf(Props.Create(() => new Answerer(null)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => actor.Ask<string>("fail", TimeSpan.FromSeconds(3)));

        Assert.Equal("refused", error.Message);
    }

    [Fact]
    public async Task Ask_with_a_reply_of_another_type_throws_InvalidCastException()
    {
        var actor = ActorOf(Props.Create(() => new Answerer(null)));

        var error = await Assert.ThrowsAsync<InvalidCastException>(() => actor.Ask<int>("text", TimeSpan.FromSeconds(3)));

        Assert.Contains("String", error.Message);
    }

    [Fact]
    public async Task PoisonPill_stops_after_earlier_messages()
    {
        var actor = ActorOf(Props.Create(() => new Answerer(TestActor)));
        var deadLetters = CreateTestProbe();
        deadLetters.Subscribe<DeadLetter>();
        Watch(actor);

        actor.Tell("one", TestActor);
        actor.Tell("two", TestActor);
        actor.Tell(PoisonPill.Instance, TestActor);
        actor.Tell("after the pill", TestActor);

        Assert.Equal(["one", "two", "PostStop"], await ReceiveNAsync(3));
        await ExpectMsgAsync<Terminated>(t => t.ActorRef == actor);
        var letter = await deadLetters.ExpectMsgAsync<DeadLetter>();
        Assert.Equal("after the pill", letter.Message);
    }

    [Fact]
    public async Task GracefulStop_completes_when_stopped()
    {
        var actor = ActorOf(Props.Create(() => new Answerer(TestActor)));
        actor.Tell("before", TestActor);

        Assert.True(await actor.GracefulStop(Dilated(TimeSpan.FromSeconds(3))));

        Assert.True(Sys.WhenActorTerminated(actor).IsCompleted);
        Assert.Equal(["before", "PostStop"], await ReceiveNAsync(2)); // PostStop ran before GracefulStop completed
    }

    [Fact]
    public async Task GracefulStop_returns_false_when_the_actor_does_not_stop_in_time()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = ActorOf(Props.Create(() => new Stuck(gate.Task, TestActor)));
        actor.Tell("block", null);
        await ExpectMsgAsync("blocked");

        Assert.False(await actor.GracefulStop(TimeSpan.FromMilliseconds(50)));

        gate.SetResult(); // the pill is handled once the async handler is done
        await ExpectTerminatedAsync(actor);
    }

    [Fact]
    public async Task GracefulStop_with_a_custom_stop_message()
    {
        var actor = ActorOf(Props.Create(() => new Stuck(Task.CompletedTask, TestActor)));

        Assert.True(await actor.GracefulStop(Dilated(TimeSpan.FromSeconds(3)), "shutdown"));
        await ExpectMsgAsync("shutting down");
    }

    [Fact]
    public async Task PipeTo_delivers_the_result_or_a_Status_Failure()
    {
        Task.FromResult(5).PipeTo(TestActor);
        await ExpectMsgAsync(5);

        Task.FromException<int>(new InvalidOperationException("bad")).PipeTo(TestActor);
        var failure = await ExpectMsgAsync<Status.Failure>();
        Assert.Equal("bad", failure.Cause.Message);

        var sender = CreateTestProbe();
        Task.FromResult(6).PipeTo(TestActor, sender.Ref, success: n => $"got {n}");
        await ExpectMsgAsync("got 6");
        Assert.Same(sender.Ref, LastSender);
    }

    private sealed class Stuck : ReceiveActor
    {
        public Stuck(Task gate, IActorRef probe)
        {
            ReceiveAsync<string>(async _ =>
            {
                probe.Tell("blocked", Self);
                await gate;
            }, m => m == "block");
            Receive<string>(_ =>
            {
                probe.Tell("shutting down", Self);
                Context.Stop(Self);
            }, m => m == "shutdown");
        }
    }
}
