using System.CommandLine;
using Actors.Benchmarks.Shared;
using Actors.Core;

namespace Actors.Benchmarks.Core;

/// <summary>
/// What an idle actor costs: N plain actors are created and started (each runs PreStart), then the live heap
/// after full compacting collections is compared with the heap before; the difference divided by N. Everything the
/// runtime keeps per actor counts (cell, path, name, actor instance, mailbox, its entry in the parent's children).
/// </summary>
public sealed class IdleMemoryBenchmark : Benchmark
{
    private readonly BenchOption<int> _actors = new("--actors", 100_000, "How many idle actors.");

    public override string Name => "idle-memory";
    public override string Description => "N idle actors (empty OnReceive), started; live bytes per actor.";
    public override IEnumerable<Option> Options => [_actors];

    private static readonly Metric Metric = new("B/actor", Better.Lower, Reference: 2_211, CoreSuite.Akka, Target: 500);

    public override BenchmarkResult Run(BenchmarkContext context)
    {
        var actors = context.Get(_actors);
        var heapInfo = new List<double>();
        var samples = Measure.Repeat(context, Name, Metric, () =>
        {
            var (totalMemory, heapSize) = RunOnce(actors);
            heapInfo.Add(heapSize);
            return totalMemory;
        });
        var heapMedian = Stats.Median(heapInfo.Skip(context.Warmups).ToList());
        return new BenchmarkResult(context.Suite, Name, Metric, samples,
            $"{actors:N0} actors; GC.GetTotalMemory delta; GC heap size (minus fragmentation) delta gives {heapMedian:0} B/actor");
    }

    /// <summary>Bytes per actor measured two ways: GC.GetTotalMemory, and the GC's heap size less fragmentation.</summary>
    private static (double TotalMemory, double HeapSize) RunOnce(int count)
    {
        var system = ActorSystem.Create("idle");
        try
        {
            // JIT and the first allocations of the runtime's paths out of the way (a few actors, stopped again).
            IdleActor.Started = 0;
            var warm = Enumerable.Range(0, 100).Select(_ => system.ActorOf(Props.Create<IdleActor>())).ToArray();
            WaitStarted(100);
            foreach (var actor in warm) system.Stop(actor);
            foreach (var actor in warm) system.WhenActorTerminated(actor).Wait(TimeSpan.FromSeconds(10));

            var props = Props.Create<IdleActor>();
            IdleActor.Started = 0;
            var (totalBefore, heapBefore) = LiveBytes();

            for (var i = 0; i < count; i++) system.ActorOf(props);
            WaitStarted(count);

            var (totalAfter, heapAfter) = LiveBytes();
            GC.KeepAlive(system);
            GC.KeepAlive(props);
            return ((double)(totalAfter - totalBefore) / count, (double)(heapAfter - heapBefore) / count);
        }
        finally
        {
            CoreSuite.Shutdown(system);
        }
    }

    private static void WaitStarted(int count)
    {
        var spin = new SpinWait();
        var deadline = Environment.TickCount64 + 60_000;
        while (Volatile.Read(ref IdleActor.Started) < count)
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"Only {IdleActor.Started} of {count} actors started.");
            spin.SpinOnce();
        }
    }

    private static (long TotalMemory, long HeapSize) LiveBytes()
    {
        Measure.FullCollect(times: 3);
        var total = GC.GetTotalMemory(forceFullCollection: true);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        return (total, info.HeapSizeBytes - info.FragmentedBytes);
    }

    /// <summary>A plain actor: nothing but an empty OnReceive (PreStart only counts, in a static, that it started).</summary>
    private sealed class IdleActor : UntypedActor
    {
        internal static int Started;

        protected override void PreStart() => Interlocked.Increment(ref Started);

        protected override void OnReceive(object message) { }
    }
}
