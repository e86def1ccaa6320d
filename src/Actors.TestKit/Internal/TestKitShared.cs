using System.Diagnostics;
using Actors.Core;

namespace Actors.TestKit.Internal;

/// <summary>What a test kit and all of its probes share: the system, the settings and the WithinAsync deadline.</summary>
internal sealed class TestKitShared(ActorSystem system, Func<TestKitSettings> settings)
{
    private static readonly long Origin = Stopwatch.GetTimestamp();
    private int _probes;

    public ActorSystem System { get; } = system;
    public Func<TestKitSettings> Settings { get; set; } = settings;

    /// <summary>Per async flow, so a deadline set by WithinAsync reaches the expectations awaited inside its block only.</summary>
    public AsyncLocal<WithinScope?> Within { get; } = new();

    public int NextProbeNumber() => Interlocked.Increment(ref _probes);

    /// <summary>A monotonic clock.</summary>
    public static TimeSpan Now => Stopwatch.GetElapsedTime(Origin);
}
