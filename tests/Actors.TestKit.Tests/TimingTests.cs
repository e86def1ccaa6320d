using System.Diagnostics;
using Xunit.Abstractions;

namespace Actors.TestKit.Tests;

public sealed class TimingTests(ITestOutputHelper output) : TestKit(output)
{
    [Fact]
    public async Task Within_passes_when_the_block_is_in_time()
    {
        var result = await WithinAsync(TimeSpan.FromSeconds(2), async () =>
        {
            TestActor.Tell("quick", null);
            return await ExpectMsgAsync<string>();
        });
        Assert.Equal("quick", result);
    }

    [Fact]
    public async Task Within_fails_when_the_block_takes_longer_than_the_maximum()
    {
        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() =>
            WithinAsync(TimeSpan.FromMilliseconds(30), () => Task.Delay(Dilated(TimeSpan.FromMilliseconds(150)))));

        Assert.Contains($"more than the maximum of {Dilated(TimeSpan.FromMilliseconds(30)).TotalMilliseconds:0} ms", error.Message);
    }

    [Fact]
    public async Task Within_fails_when_the_block_is_faster_than_the_minimum()
    {
        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() =>
            WithinAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), () => Task.CompletedTask, hint: "too fast"));

        Assert.Contains("(too fast)", error.Message);
        Assert.Contains("less than the required minimum of 1000 ms", error.Message);
    }

    [Fact]
    public async Task Within_shrinks_the_timeout_of_nested_expectations()
    {
        var clock = Stopwatch.StartNew();
        await WithinAsync(TimeSpan.FromMilliseconds(200), async () =>
        {
            Assert.InRange(Remaining, TimeSpan.Zero, Dilated(TimeSpan.FromMilliseconds(200)));
            // Asks for 10 s (and the default is 3 s), but the block has only 200 ms left.
            var error = await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectMsgAsync<string>(TimeSpan.FromSeconds(10)));
            Assert.Contains("Timeout (", error.Message);
            await ExpectNoMsgAsync(); // uses what is left, may end at the deadline
        });
        Assert.True(clock.Elapsed < Dilated(TimeSpan.FromSeconds(2)), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Nested_within_cannot_extend_the_outer_deadline()
    {
        await WithinAsync(TimeSpan.FromMilliseconds(300), () =>
            WithinAsync(TimeSpan.FromSeconds(30), () =>
            {
                Assert.True(Remaining <= Dilated(TimeSpan.FromMilliseconds(300)), $"remaining {Remaining}");
                return Task.CompletedTask;
            }));
    }

    [Fact]
    public void Remaining_is_only_defined_inside_within()
    {
        Assert.Throws<InvalidOperationException>(() => Remaining);
        Assert.Equal(Dilated(TimeSpan.FromSeconds(3)), RemainingOrDefault);
    }

    [Fact]
    public async Task AwaitAssert_retries_until_the_assertion_passes()
    {
        var attempts = 0;
        await AwaitAssertAsync(() => Assert.True(++attempts >= 3), interval: TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, attempts);

        var counter = 0;
        using var timer = new Timer(_ => Interlocked.Increment(ref counter), null, 10, 10);
        await AwaitAssertAsync(async () =>
        {
            await Task.Yield();
            Assert.True(Volatile.Read(ref counter) >= 2);
        });
    }

    [Fact]
    public async Task AwaitAssert_fails_with_the_last_failure_after_the_duration()
    {
        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() =>
            AwaitAssertAsync(() => Assert.Equal(1, 2), TimeSpan.FromMilliseconds(60), TimeSpan.FromMilliseconds(10)));

        Assert.Contains("still failed", error.Message);
        Assert.IsType<Xunit.Sdk.EqualException>(error.InnerException);
    }

    [Fact]
    public async Task AwaitCondition_waits_for_the_condition_or_fails_naming_it()
    {
        var flag = 0;
        _ = Task.Delay(30).ContinueWith(_ => Volatile.Write(ref flag, 1), TaskScheduler.Default);
        await AwaitConditionAsync(() => Volatile.Read(ref flag) == 1);

        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() =>
            AwaitConditionAsync(() => false, TimeSpan.FromMilliseconds(40), message: "never true"));
        Assert.Contains($"'never true' was not met within {Dilated(TimeSpan.FromMilliseconds(40)).TotalMilliseconds:0} ms", error.Message);
    }
}

public sealed class DilationTests(ITestOutputHelper output)
    : TestKit(null, TestKitSettings.Default with { TimeFactor = 3, DefaultTimeout = TimeSpan.FromMilliseconds(40) }, output)
{
    [Fact]
    public void Dilated_multiplies_by_the_time_factor()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(300), Dilated(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(Timeout.InfiniteTimeSpan, Dilated(Timeout.InfiniteTimeSpan));
        Assert.Equal(TimeSpan.FromMilliseconds(120), RemainingOrDefault);
    }

    [Fact]
    public async Task Timeouts_of_expectations_are_dilated()
    {
        var defaultError = await Assert.ThrowsAsync<TestKitAssertionException>(() => ExpectMsgAsync<string>());
        Assert.Contains("Timeout (120 ms)", defaultError.Message);

        var clock = Stopwatch.StartNew();
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(140), $"ExpectNoMsg(50 ms) x3 took only {clock.Elapsed}");
    }

    [Fact]
    public async Task Probes_share_the_settings_of_their_kit()
    {
        var probe = CreateTestProbe();
        Assert.Equal(3, probe.TestKitSettings.TimeFactor);
        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() => probe.ExpectMsgAsync<string>());
        Assert.Contains("Timeout (120 ms)", error.Message);
    }
}

public sealed class SettingsOverrideTests(ITestOutputHelper output) : TestKit(output)
{
    public override TestKitSettings TestKitSettings => base.TestKitSettings with { DefaultTimeout = TimeSpan.FromMilliseconds(25), TimeFactor = 1 };

    [Fact]
    public async Task A_derived_class_can_override_the_settings_property()
    {
        var error = await Assert.ThrowsAsync<TestKitAssertionException>(() => CreateTestProbe().ExpectMsgAsync<string>());
        Assert.Contains("Timeout (25 ms)", error.Message);
    }
}

public sealed class TestKitSettingsTests
{
    [Fact]
    public void Defaults_are_3_seconds_and_100_ms()
    {
        var settings = new TestKitSettings();
        Assert.Equal(TimeSpan.FromSeconds(3), settings.DefaultTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(100), settings.ExpectNoMessageDefault);
    }

    [Fact]
    public void The_time_factor_comes_from_the_environment_variable()
    {
        var fromEnvironment = TestKitSettings.ParseTimeFactor(Environment.GetEnvironmentVariable(TestKitSettings.TimeFactorVariable));
        Assert.Equal(fromEnvironment, TestKitSettings.Default.TimeFactor);
        Assert.Equal("ACTORS_TEST_TIMEFACTOR", TestKitSettings.TimeFactorVariable);
    }

    [Theory]
    [InlineData(null, 1.0)]
    [InlineData("", 1.0)]
    [InlineData("2", 2.0)]
    [InlineData("1.5", 1.5)]
    [InlineData(" 0.5 ", 0.5)]
    public void Time_factors_parse_with_the_invariant_culture(string? text, double expected) =>
        Assert.Equal(expected, TestKitSettings.ParseTimeFactor(text));

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("NaN")]
    public void Invalid_time_factors_are_rejected_with_the_variable_name(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => TestKitSettings.ParseTimeFactor(text));
        Assert.Contains("ACTORS_TEST_TIMEFACTOR", error.Message);
    }

    [Fact]
    public void A_non_positive_factor_cannot_be_set() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TestKitSettings { TimeFactor = 0 });
}
