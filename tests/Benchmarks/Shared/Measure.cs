using System.Runtime;

namespace Actors.Benchmarks.Shared;

public static class Measure
{
    /// <summary>
    /// Runs <paramref name="runOnce"/> <see cref="BenchmarkContext.Warmups"/> times unmeasured, then
    /// <see cref="BenchmarkContext.Runs"/> times, printing a progress line for each; the run returns its figure.
    /// A full garbage collection before each run keeps one run's garbage out of the next one's time.
    /// </summary>
    public static IReadOnlyList<double> Repeat(BenchmarkContext context, string name, Metric metric, Func<double> runOnce)
    {
        for (var i = 1; i <= context.Warmups; i++) Once($"warm-up {i}/{context.Warmups}");
        var samples = new List<double>(context.Runs);
        for (var i = 1; i <= context.Runs; i++) samples.Add(Once($"run {i}/{context.Runs}"));
        return samples;

        double Once(string phase)
        {
            FullCollect();
            var gc = GcSnapshot.Take();
            var value = runOnce();
            context.Progress.Sample($"{context.Suite} {name}", phase, value, metric.Unit, GcSnapshot.Take().Since(gc));
            return value;
        }
    }

    /// <summary>
    /// The same as <see cref="Repeat"/> for a run that awaits; cancellation stops between and inside runs.
    /// <paramref name="minimumWarmups"/> raises the warm-up count for runs too short to reach optimized code in one.
    /// </summary>
    public static async Task<IReadOnlyList<double>> RepeatAsync(
        BenchmarkContext context, string name, Metric metric, Func<CancellationToken, Task<double>> runOnce, CancellationToken cancellationToken,
        int minimumWarmups = 0)
    {
        var warmups = Math.Max(context.Warmups, minimumWarmups);
        for (var i = 1; i <= warmups; i++) await OnceAsync($"warm-up {i}/{warmups}").ConfigureAwait(false);
        var samples = new List<double>(context.Runs);
        for (var i = 1; i <= context.Runs; i++) samples.Add(await OnceAsync($"run {i}/{context.Runs}").ConfigureAwait(false));
        return samples;

        async Task<double> OnceAsync(string phase)
        {
            cancellationToken.ThrowIfCancellationRequested();
            FullCollect();
            var gc = GcSnapshot.Take();
            var value = await runOnce(cancellationToken).ConfigureAwait(false);
            context.Progress.Sample($"{context.Suite} {name}", phase, value, metric.Unit, GcSnapshot.Take().Since(gc));
            return value;
        }
    }

    /// <summary>A blocking, compacting collection of every generation (and the large object heap), finalizers included.</summary>
    public static void FullCollect(int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}

/// <summary>Collections and GC pause time, so a run's progress line shows how much of it the GC took.</summary>
public readonly record struct GcSnapshot(int Gen0, int Gen1, int Gen2, TimeSpan Paused, long Allocated)
{
    public static GcSnapshot Take() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
        GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(precise: false));

    public string Since(GcSnapshot before) =>
        $"GC {Gen0 - before.Gen0}/{Gen1 - before.Gen1}/{Gen2 - before.Gen2} (gen0/1/2), paused {(Paused - before.Paused).TotalMilliseconds:0} ms, allocated {(Allocated - before.Allocated) / 1048576.0:0} MB";
}
