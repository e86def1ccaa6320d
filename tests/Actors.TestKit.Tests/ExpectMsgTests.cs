using Actors.Core;
using Xunit.Abstractions;

namespace Actors.TestKit.Tests;

public sealed class ExpectMsgTests(ITestOutputHelper output) : TestKit(output)
{
    [Fact]
    public async Task Expect_of_the_expected_type_returns_the_message_and_its_sender()
    {
        var echo = ActorOf<EchoActor>("echo");
        echo.Tell(new Ping(1), TestActor);

        var pong = await ExpectMsgAsync<Ping>();

        Assert.Equal(new Ping(1), pong);
        Assert.Same(echo, LastSender);
        Assert.Equal(new Ping(1), LastMessage);
    }

    [Fact]
    public async Task Expect_with_the_wrong_type_fails_with_a_clear_message()
    {
        TestActor.Tell(new Ping(7), null);

        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectMsgAsync<Pong>());

        Assert.Contains("Expected a message of type Pong", error.Message);
        Assert.Contains("received Ping { N = 7 }", error.Message);
        Assert.Contains("testActor", error.Message);
    }

    [Fact]
    public async Task Expect_times_out_saying_that_nothing_arrived()
    {
        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectMsgAsync<Pong>(TimeSpan.FromMilliseconds(50), hint: "the pong"));

        Assert.Contains("Timeout", error.Message);
        Assert.Contains("Pong", error.Message);
        Assert.Contains("(the pong)", error.Message);
        Assert.Contains("no message arrived", error.Message);
    }

    [Fact]
    public async Task Expect_by_equality_passes_for_an_equal_message_and_fails_for_another()
    {
        TestActor.Tell("hello", null);
        TestActor.Tell("world", null);

        Assert.Equal("hello", await ExpectMsgAsync("hello"));
        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectMsgAsync("hello"));

        Assert.Contains("Expected the message \"hello\"", error.Message);
        Assert.Contains("received \"world\"", error.Message);
    }

    [Fact]
    public async Task Expect_with_a_predicate_or_an_assertion_reports_the_mismatch()
    {
        TestActor.Tell(new Ping(1), null);
        TestActor.Tell(new Ping(2), null);
        TestActor.Tell(new Ping(3), null);

        await ExpectMsgAsync<Ping>(p => p.N == 1);
        var predicateError = await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectMsgAsync<Ping>(p => p.N == 1));
        var assertionError = await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectMsgAsync<Ping>(p => Assert.Equal(1, p.N)));

        Assert.Contains("Ping { N = 2 }", predicateError.Message);
        Assert.Contains("does not match the predicate", predicateError.Message);
        Assert.Contains("Ping { N = 3 }", assertionError.Message);
        Assert.IsAssignableFrom<Xunit.Sdk.XunitException>(assertionError.InnerException);
    }

    [Fact]
    public async Task ExpectNoMsg_passes_when_nothing_arrives()
    {
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(30));
        await ExpectNoMsgAsync();
    }

    [Fact]
    public async Task ExpectNoMsg_fails_when_a_message_arrives()
    {
        var silent = ActorOf<SilentActor>();
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(20), TestActor, new Ping(9), silent);

        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectNoMsgAsync(TimeSpan.FromSeconds(2)));

        Assert.Contains("Expected no message", error.Message);
        Assert.Contains("Ping { N = 9 }", error.Message);
        Assert.Contains(silent.Path.ToString(), error.Message);
    }

    [Fact]
    public async Task A_message_waiting_already_fails_ExpectNoMsg_at_once()
    {
        TestActor.Tell("early", null);
        await AwaitConditionAsync(() => HasMessages);

        await WithinAsync(TimeSpan.FromSeconds(1), async () =>
            await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectNoMsgAsync(TimeSpan.FromSeconds(5))));
    }

    [Fact]
    public async Task ExpectMsgAllOf_accepts_any_order_and_names_the_missing()
    {
        TestActor.Tell(2, null);
        TestActor.Tell(1, null);
        Assert.Equal([2, 1], await ExpectMsgAllOfAsync([1, 2]));

        TestActor.Tell(3, null);
        await AwaitConditionAsync(() => HasMessages);
        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectMsgAllOfAsync([3, 4], TimeSpan.FromMilliseconds(50)));
        Assert.Contains("still missing [4 (Int32)]", error.Message);
    }

    [Fact]
    public async Task ExpectMsgAnyOf_takes_one_of_the_candidates()
    {
        TestActor.Tell("b", null);
        Assert.Equal("b", await ExpectMsgAnyOfAsync(["a", "b"]));
    }

    [Fact]
    public async Task ExpectMsgFrom_checks_the_sender()
    {
        var echo = ActorOf<EchoActor>();
        echo.Tell(new Ping(1), TestActor);
        await ExpectMsgFromAsync<Ping>(echo);

        TestActor.Tell(new Ping(2), null);
        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectMsgFromAsync<Ping>(echo));
        Assert.Contains("deadLetters", error.Message);
    }

    [Fact]
    public async Task FishForMessage_skips_other_messages()
    {
        for (var i = 1; i <= 5; i++) TestActor.Tell(new Ping(i), null);
        TestActor.Tell("done", null);

        var found = await FishForMessageAsync<Ping>(p => p.N == 4);
        var any = await FishForMessageAsync(m => m is string);

        Assert.Equal(4, found.N);
        Assert.Equal("done", any);
        Assert.False(HasMessages);
    }

    [Fact]
    public async Task FishForMessage_fails_listing_what_it_skipped()
    {
        TestActor.Tell(new Ping(1), null);
        TestActor.Tell("other", null);
        await AwaitConditionAsync(() => MessageCount == 2);

        var error = await Assert.ThrowsAsync<TestKitAssertionException>(
            () => FishForMessageAsync<Pong>(timeout: TimeSpan.FromMilliseconds(50)));

        Assert.Contains("fishing for a message of type Pong", error.Message);
        Assert.Contains("skipped 2: [Ping { N = 1 }, \"other\" (String)]", error.Message);
    }

    [Fact]
    public async Task ReceiveN_returns_the_messages_in_order_or_reports_how_many_came()
    {
        for (var i = 0; i < 3; i++) TestActor.Tell(i, null);
        Assert.Equal([0, 1, 2], await ReceiveNAsync(3));

        TestActor.Tell("only one", null);
        await AwaitConditionAsync(() => HasMessages);
        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() => ReceiveNAsync(2, TimeSpan.FromMilliseconds(50)));
        Assert.Contains("waiting for 2 messages", error.Message);
        Assert.Contains("received 1: [\"only one\" (String)]", error.Message);
    }

    [Fact]
    public async Task ReceiveOne_returns_null_on_timeout()
    {
        Assert.Null(await ReceiveOneAsync(TimeSpan.FromMilliseconds(10)));
        TestActor.Tell("x", null);
        Assert.Equal("x", await ReceiveOneAsync());
    }

    [Fact]
    public async Task A_message_that_arrives_after_a_timed_out_expectation_is_not_lost()
    {
        await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectMsgAsync<string>(TimeSpan.FromMilliseconds(10)));
        TestActor.Tell("late", null);
        await ExpectMsgAsync("late");
    }
}
