using Actors.Benchmarks.Nodes;
using Actors.Benchmarks.Persistence;
using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Core;

/// <summary>
/// The account actor on Akka itself: sharded Ask throughput on the in-memory journal (the ceiling of Akka's pipeline),
/// recovery of one account, the memory of an idle recovered account and the rate of recovery from cold (on SQLite).
/// </summary>
public static class CoreSuite
{
    public static BenchmarkSuite Create() => new(
        "core",
        "The account actor on Akka: in-memory sharded asks, recovery of one account, idle memory and cold recovery rate (SQLite).",
        new ShardedThroughputBenchmark(StoreKind.InMemory),
        new RecoveryBenchmark(),
        new RecoveredAccountsBenchmark());
}
