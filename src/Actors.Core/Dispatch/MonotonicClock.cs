using System.Diagnostics;

namespace Actors.Core;

/// <summary>
/// Milliseconds of a precise monotonic clock, for deadlines that must never come early. Environment.TickCount64 is
/// coarse on Linux (the kernel tick, often 4 ms): a time stamped with it can already be a few ms old, and a deadline
/// computed from it then falls a few ms before the intended one.
/// </summary>
internal static class MonotonicClock
{
    private static readonly long TicksPerMillisecond = Math.Max(1, Stopwatch.Frequency / 1000);

    public static long Milliseconds => Stopwatch.GetTimestamp() / TicksPerMillisecond;
}
