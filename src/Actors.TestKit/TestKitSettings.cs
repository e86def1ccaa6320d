using System.Globalization;

namespace Actors.TestKit;

/// <summary>
/// Timeouts of the test kit. Every timeout the kit waits for (the defaults here and the ones a test passes) is
/// multiplied by <see cref="TimeFactor"/>, which comes from the environment variable
/// <c>ACTORS_TEST_TIMEFACTOR</c> (default 1.0): slow CI machines set it to 2 or 3 instead of every test growing its timeouts.
/// </summary>
public sealed record TestKitSettings
{
    /// <summary>The environment variable that holds the time factor.</summary>
    public const string TimeFactorVariable = "ACTORS_TEST_TIMEFACTOR";

    /// <summary>How long an expectation waits when the test names no timeout (before dilation). 3 s.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long <c>ExpectNoMsgAsync()</c> listens when the test names no duration (before dilation). 100 ms.</summary>
    public TimeSpan ExpectNoMessageDefault { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The pause between two attempts of <c>AwaitAssertAsync</c> and <c>AwaitConditionAsync</c> (not dilated). 20 ms.</summary>
    public TimeSpan DefaultPollInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How long disposing the test kit waits for its actor system to terminate (before dilation). 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>When true, a system that does not terminate within <see cref="ShutdownTimeout"/> fails the test.</summary>
    public bool VerifySystemShutdown { get; init; }

    /// <summary>The factor applied to every timeout; read from <see cref="TimeFactorVariable"/> when the settings are made.</summary>
    public double TimeFactor
    {
        get;
        init
        {
            if (!double.IsFinite(value) || value <= 0)
                throw new ArgumentOutOfRangeException(nameof(TimeFactor), value, "The time factor must be a positive number.");
            field = value;
        }
    } = TimeFactorFromEnvironment();

    /// <summary>Fresh settings with the defaults and the time factor of the environment.</summary>
    public static TestKitSettings Default => new();

    /// <summary>Scales <paramref name="duration"/> by <see cref="TimeFactor"/>; infinite stays infinite.</summary>
    public TimeSpan Dilated(TimeSpan duration)
    {
        if (duration == Timeout.InfiniteTimeSpan) return duration;
        var ticks = duration.Ticks * TimeFactor;
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The time factor the environment asks for, 1.0 when <see cref="TimeFactorVariable"/> is not set.</summary>
    public static double TimeFactorFromEnvironment() => ParseTimeFactor(Environment.GetEnvironmentVariable(TimeFactorVariable));

    /// <summary>Parses a time factor as the environment variable holds it (invariant culture); blank means 1.0.</summary>
    /// <exception cref="ArgumentException">The text is not a positive number.</exception>
    public static double ParseTimeFactor(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return 1.0;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && double.IsFinite(factor) && factor > 0)
            return factor;
        throw new ArgumentException($"{TimeFactorVariable} must be a positive number such as 1.5, but is '{text}'.", nameof(text));
    }
}
