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

    protected override void OnEventSourceCreated(EventSource source)
    {
        // Verbose GC events include GCAllocationTick; nothing else of the runtime's is asked for.
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    private long _gcs, _gen1s, _promoted0, _promoted1, _gen1Size;
    private string _handles = "";
    private long _suspendStart, _suspendTicks, _gcStart, _gcTicks, _gen1Ticks, _depth;

    protected override void OnEventWritten(EventWrittenEventArgs data)
    {
        var stamp = data.TimeStamp.Ticks;
        switch (data.EventName)
        {
            case { } e when e.StartsWith("GCSuspendEEBegin", StringComparison.Ordinal):
                _suspendStart = stamp;
                return;
            case { } e when e.StartsWith("GCSuspendEEEnd", StringComparison.Ordinal):
                if (_suspendStart > 0) Interlocked.Add(ref _suspendTicks, stamp - _suspendStart);
                return;
            case { } e when e.StartsWith("GCEnd", StringComparison.Ordinal):
                if (_gcStart > 0) Interlocked.Add(ref _depth >= 1 ? ref _gen1Ticks : ref _gcTicks, stamp - _gcStart);
                return;
        }
        if (data.EventName is { } name && name.StartsWith("GCStart", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _gcs);
            _gcStart = stamp;
            _depth = Convert.ToInt64(PayloadOf(data, "Depth") ?? 0L, CultureInfo.InvariantCulture);
            if (_depth >= 1) Interlocked.Increment(ref _gen1s);
            return;
        }
        if (data.EventName is { } heap && heap.StartsWith("GCHeapStats", StringComparison.Ordinal))
        {
            Interlocked.Add(ref _promoted0, Convert.ToInt64(PayloadOf(data, "TotalPromotedSize0") ?? 0L, CultureInfo.InvariantCulture));
            Interlocked.Add(ref _promoted1, Convert.ToInt64(PayloadOf(data, "TotalPromotedSize1") ?? 0L, CultureInfo.InvariantCulture));
            Interlocked.Exchange(ref _gen1Size, Convert.ToInt64(PayloadOf(data, "GenerationSize1") ?? 0L, CultureInfo.InvariantCulture));
            _handles = $"handles {PayloadOf(data, "GCHandleCount")}, pinned {PayloadOf(data, "PinnedObjectCount")}, sync blocks {PayloadOf(data, "SinkBlockCount")}, finalization {PayloadOf(data, "FinalizationPromotedCount")}, gen2 {Convert.ToInt64(PayloadOf(data, "GenerationSize2") ?? 0L) / 1048576} MB, loh {Convert.ToInt64(PayloadOf(data, "GenerationSize3") ?? 0L) / 1048576} MB, poh {Convert.ToInt64(PayloadOf(data, "GenerationSize4") ?? 0L) / 1048576} MB";
            return;
        }
        if (data.EventName is null || !data.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || data.Payload is null) return;
        var type = PayloadOf(data, "TypeName") as string ?? "?";
        var amount = Convert.ToInt64(PayloadOf(data, "AllocationAmount64") ?? PayloadOf(data, "AllocationAmount") ?? 0L, CultureInfo.InvariantCulture);
        _bytesByType.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }

    private static object? PayloadOf(EventWrittenEventArgs data, string name)
    {
        var index = data.PayloadNames?.IndexOf(name) ?? -1;
        return index >= 0 ? data.Payload![index] : null;
    }

    /// <summary>The top types by sampled bytes since the last report (shares of all sampled bytes), and starts over.</summary>
    public string TakeReport()
    {
        var snapshot = _bytesByType.ToArray();
        _bytesByType.Clear();
        var total = snapshot.Sum(e => e.Value);
        var (gcs, gen1s, promoted0, promoted1) = (Interlocked.Exchange(ref _gcs, 0), Interlocked.Exchange(ref _gen1s, 0), Interlocked.Exchange(ref _promoted0, 0), Interlocked.Exchange(ref _promoted1, 0));
        var gc = string.Create(CultureInfo.InvariantCulture,
            $"GCs {gcs} ({gen1s} of gen 1 or 2); suspending {TimeSpan.FromTicks(Interlocked.Exchange(ref _suspendTicks, 0)).TotalMilliseconds / Math.Max(1, gcs):0.00} ms per GC, collecting gen 0 {TimeSpan.FromTicks(Interlocked.Exchange(ref _gcTicks, 0)).TotalMilliseconds / Math.Max(1, gcs - gen1s):0.00} ms, gen 1+ {TimeSpan.FromTicks(Interlocked.Exchange(ref _gen1Ticks, 0)).TotalMilliseconds / Math.Max(1, gen1s):0.00} ms; promoted per GC: from gen 0 {promoted0 / Math.Max(1, gcs) / 1024.0:0} KB, from gen 1 {promoted1 / Math.Max(1, gen1s) / 1024.0:0} KB; gen 1 now {Interlocked.Read(ref _gen1Size) / 1048576.0:0.0} MB; {_handles}\n    ");
        if (total == 0) return gc + "allocations: no samples";
        var text = new StringBuilder(gc + string.Create(CultureInfo.InvariantCulture, $"allocations sampled: {total / 1048576.0:0} MB"));
        foreach (var (type, bytes) in snapshot.OrderByDescending(e => e.Value).Take(Top))
            text.Append(CultureInfo.InvariantCulture, $"\n    {(double)bytes / total,6:P1}  {type}");
        return text.ToString();
    }
}
