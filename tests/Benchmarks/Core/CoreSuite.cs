using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Core;

/// <summary>The actor runtime itself: message throughput, round-trip latency, memory per actor.</summary>
public static class CoreSuite
{
    /// <summary>The Akka.NET version the reference figures were measured with (same kind of machine: 2 cores).</summary>
    public const string Akka = "Akka.NET 1.5.30";

    public static BenchmarkSuite Create() => new(
        "core",
        "Actor runtime benchmarks (Actors.Core).",
        new TellBenchmark(),
        new PingPongBenchmark(),
        new IdleMemoryBenchmark());

    /// <summary>Waits for a countdown, failing loudly instead of hanging when messages went missing.</summary>
    internal static void Await(CountdownEvent countdown, TimeSpan timeout, string what)
    {
        if (!countdown.Wait(timeout))
            throw new TimeoutException($"{what}: {countdown.CurrentCount} of {countdown.InitialCount} did not finish within {timeout.TotalSeconds:0} s.");
    }

    internal static void Shutdown(Actors.Core.ActorSystem system)
    {
        if (!system.Terminate().Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException($"{system} did not terminate.");
    }
}
