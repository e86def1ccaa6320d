using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace Actors.Benchmarks.Shared;

/// <summary>
/// Which types a run allocates, from the runtime's own allocation sampling (an event about every 100 KB allocated, naming
/// the type of the object that crossed the mark): proportional to bytes, cheap enough to leave on during a measured
/// window. Switched on by <see cref="Variable"/>; <see cref="TakeReport"/> gives the top types since the last report.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    public const string Variable = "ACTORS_BENCH_ALLOCATIONS";

    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytesByType = new(StringComparer.Ordinal);

    private AllocationSampler() { }

    /// <summary>A sampler when <see cref="Variable"/> is set (to how many types to list), else null.</summary>
    public static AllocationSampler? FromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var top) && top > 0
            ? new AllocationSampler { Top = top }
            : null;

    public int Top { get; private init; }

    // Counters since the last report, and the GC in progress (GCs never overlap in workstation GC's foreground).
    private long _gcs, _gen1s, _promoted0, _promoted1, _suspendTicks, _gen0Ticks, _gen1Ticks;
    private long _suspendStart, _gcStart, _depth;
    private EventWrittenEventArgs? _lastHeapStats;

    protected override void OnEventSourceCreated(EventSource source)
    {
        // Verbose GC events include GCAllocationTick; nothing else of the runtime's is asked for.
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs data)
    {
        var stamp = data.TimeStamp.Ticks;
        // The runtime's events carry a version suffix (GCStart_V2): matched by prefix.
        switch (data.EventName)
        {
            case { } e when e.StartsWith("GCSuspendEEBegin", StringComparison.Ordinal):
                _suspendStart = stamp;
                break;
            case { } e when e.StartsWith("GCSuspendEEEnd", StringComparison.Ordinal):
                if (_suspendStart > 0) Interlocked.Add(ref _suspendTicks, stamp - _suspendStart);
                break;
            case { } e when e.StartsWith("GCStart", StringComparison.Ordinal):
                Interlocked.Increment(ref _gcs);
                _gcStart = stamp;
                _depth = LongOf(data, "Depth");
                if (_depth >= 1) Interlocked.Increment(ref _gen1s);
                break;
            case { } e when e.StartsWith("GCEnd", StringComparison.Ordinal):
                if (_gcStart > 0) Interlocked.Add(ref _depth >= 1 ? ref _gen1Ticks : ref _gen0Ticks, stamp - _gcStart);
                break;
            case { } e when e.StartsWith("GCHeapStats", StringComparison.Ordinal):
                Interlocked.Add(ref _promoted0, LongOf(data, "TotalPromotedSize0"));
                Interlocked.Add(ref _promoted1, LongOf(data, "TotalPromotedSize1"));
                _lastHeapStats = data;
                break;
            case { } e when e.StartsWith("GCAllocationTick", StringComparison.Ordinal):
                var type = PayloadOf(data, "TypeName") as string ?? "?";
                var amount = PayloadOf(data, "AllocationAmount64") is null ? LongOf(data, "AllocationAmount") : LongOf(data, "AllocationAmount64");
                _bytesByType.AddOrUpdate(type, amount, (_, sum) => sum + amount);
                break;
        }
    }

    private static object? PayloadOf(EventWrittenEventArgs data, string name)
    {
        var index = data.PayloadNames?.IndexOf(name) ?? -1;
        return index >= 0 ? data.Payload![index] : null;
    }

    private static long LongOf(EventWrittenEventArgs data, string name) => Convert.ToInt64(PayloadOf(data, name) ?? 0L, CultureInfo.InvariantCulture);

    /// <summary>The collections since the last report, and the heap as the latest one left it.</summary>
    private string TakeGcReport()
    {
        var (gcs, gen1s) = (Interlocked.Exchange(ref _gcs, 0), Interlocked.Exchange(ref _gen1s, 0));
        static double Ms(long ticks) => TimeSpan.FromTicks(ticks).TotalMilliseconds;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"GCs {gcs} ({gen1s} of gen 1 or 2); suspending {Ms(Interlocked.Exchange(ref _suspendTicks, 0)) / Math.Max(1, gcs):0.00} ms per GC, " +
            $"collecting gen 0 {Ms(Interlocked.Exchange(ref _gen0Ticks, 0)) / Math.Max(1, gcs - gen1s):0.00} ms, gen 1+ {Ms(Interlocked.Exchange(ref _gen1Ticks, 0)) / Math.Max(1, gen1s):0.00} ms; " +
            $"promoted per GC: from gen 0 {Interlocked.Exchange(ref _promoted0, 0) / Math.Max(1, gcs) / 1024.0:0} KB, from gen 1 {Interlocked.Exchange(ref _promoted1, 0) / Math.Max(1, gen1s) / 1024.0:0} KB");
        if (_lastHeapStats is not { } heap) return text;
        return text + string.Create(CultureInfo.InvariantCulture,
            $"; gen 1 now {LongOf(heap, "GenerationSize1") / 1048576.0:0.0} MB; handles {LongOf(heap, "GCHandleCount")}, pinned {LongOf(heap, "PinnedObjectCount")}, " +
            $"sync blocks {LongOf(heap, "SinkBlockCount")}, finalization {LongOf(heap, "FinalizationPromotedCount")}, gen2 {LongOf(heap, "GenerationSize2") / 1048576} MB, " +
            $"loh {LongOf(heap, "GenerationSize3") / 1048576} MB, poh {LongOf(heap, "GenerationSize4") / 1048576} MB");
    }

    /// <summary>The top types by sampled bytes since the last report (shares of all sampled bytes), and starts over.</summary>
    public string TakeReport()
    {
        var snapshot = _bytesByType.ToArray();
        _bytesByType.Clear();
        var total = snapshot.Sum(e => e.Value);
        var gc = TakeGcReport() + "\n    ";
        if (total == 0) return gc + "allocations: no samples";
        var text = new StringBuilder(gc + string.Create(CultureInfo.InvariantCulture, $"allocations sampled: {total / 1048576.0:0} MB"));
        foreach (var (type, bytes) in snapshot.OrderByDescending(e => e.Value).Take(Top))
            text.Append(CultureInfo.InvariantCulture, $"\n    {(double)bytes / total,6:P1}  {type}");
        return text.ToString();
    }
}
