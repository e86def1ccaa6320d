using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace Actors.Benchmarks.Shared;

public static class Measure
{
    /// <summary>
    /// Runs <paramref name="runOnce"/> <paramref name="warmups"/> times unmeasured, then <paramref name="runs"/> times,
    /// printing a progress line for each with its GC and CPU figures. A full collection before each run keeps one run's
    /// garbage out of the next one's time. The last run's <see cref="RunStats"/> are returned with the samples.
    /// </summary>
    public static async Task<(IReadOnlyList<double> Samples, RunStats Last)> RepeatAsync(
        BenchmarkContext context, string label, Metric metric, int warmups, int runs,
        Func<CancellationToken, Task<double>> runOnce, CancellationToken cancellationToken)
    {
        var samples = new List<double>(runs);
        var last = default(RunStats);
        for (var i = 1; i <= warmups; i++) await OnceAsync($"warm-up {i}/{warmups}").ConfigureAwait(false);
        for (var i = 1; i <= runs; i++) samples.Add(await OnceAsync($"run {i}/{runs}").ConfigureAwait(false));
        return (samples, last);

        async Task<double> OnceAsync(string phase)
        {
            cancellationToken.ThrowIfCancellationRequested();
            FullCollect();
            var before = RunStats.Start();
            var value = await runOnce(cancellationToken).ConfigureAwait(false);
            last = before.Stop();
            context.Progress.Sample($"{context.Suite} {label}", phase, value, metric.Unit, last.ToString());
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

/// <summary>
/// What a run cost besides its figure: GC collections and pauses, bytes allocated, and the CPU: this process's, and
/// the whole machine's (from /proc/stat), both in cores. On a 2-core machine "process 1.9 cores" means the run is
/// bound by this process's CPU; "machine 2.0, process 0.8" means neighbours (or a database server) took the rest;
/// "machine 0.5" means the run mostly waited (fsync, locks, timers). The thread pool's thread count at the start and the
/// end: threads beyond its minimum were added by the pool (its hill climbing, or for threads that blocked).
/// </summary>
public readonly record struct RunStats(
    TimeSpan Wall, int Gen0, int Gen1, int Gen2, TimeSpan Paused, long Allocated, TimeSpan ProcessCpu, double MachineBusyCores,
    int PoolThreadsBefore, int PoolThreadsAfter)
{
    /// <summary>Where a run started; <see cref="Stop"/> gives its <see cref="RunStats"/>.</summary>
    public readonly record struct Mark(
        long Timestamp, int Gen0, int Gen1, int Gen2, TimeSpan Paused, long Allocated, TimeSpan Cpu, (long Busy, long Total)? Machine, int PoolThreads)
    {
        public RunStats Stop()
        {
            var now = Start();
            var wall = Stopwatch.GetElapsedTime(Timestamp, now.Timestamp);
            var machine = Machine is { } a && now.Machine is { } b && b.Total > a.Total
                ? (double)(b.Busy - a.Busy) / (b.Total - a.Total) * Environment.ProcessorCount
                : double.NaN;
            return new RunStats(wall, now.Gen0 - Gen0, now.Gen1 - Gen1, now.Gen2 - Gen2, now.Paused - Paused, now.Allocated - Allocated, now.Cpu - Cpu, machine, PoolThreads, now.PoolThreads);
        }

        public static Mark Start() => new(Stopwatch.GetTimestamp(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
            GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(precise: false), Process.GetCurrentProcess().TotalProcessorTime, MachineTicks(),
            ThreadPool.ThreadCount);
    }

    public static Mark Start() => Mark.Start();

    /// <summary>This process's CPU over the run, in cores (1.0 = one core busy all the time).</summary>
    public double ProcessCores => Wall > TimeSpan.Zero ? ProcessCpu / Wall : double.NaN;

    public double GcPauseShare => Wall > TimeSpan.Zero ? Paused / Wall : double.NaN;

    public string Cpu => string.Create(CultureInfo.InvariantCulture,
        $"CPU: process {ProcessCores:0.00} cores, machine {MachineBusyCores:0.00} of {Environment.ProcessorCount}");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Cpu}; GC {Gen0}/{Gen1}/{Gen2}, paused {Paused.TotalMilliseconds:0} ms ({GcPauseShare:P0}), allocated {Allocated / 1048576.0:0} MB; thread pool {PoolThreadsBefore} -> {PoolThreadsAfter} threads");

    /// <summary>Busy and total jiffies of all cores since boot (the first line of /proc/stat); null off Linux.</summary>
    internal static (long Busy, long Total)? MachineTicks()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var fields = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal ...
            long total = 0;
            for (var i = 1; i < Math.Min(fields.Length, 9); i++) total += long.Parse(fields[i], CultureInfo.InvariantCulture);
            var idle = long.Parse(fields[4], CultureInfo.InvariantCulture) + long.Parse(fields[5], CultureInfo.InvariantCulture);
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or NullReferenceException)
        {
            return null;
        }
    }
}
