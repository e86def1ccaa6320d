using Actors.Benchmarks.Core;
using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Persistence;

/// <summary>
/// Event-sourced accounts over the journals: command throughput per store, recovery time, memory and rate of
/// recovered accounts. Each benchmark uses the real account actor (Bank.Actors) behind its entity region.
/// </summary>
public static class PersistenceSuite
{
    public const string Akka = CoreSuite.Akka;

    public static BenchmarkSuite Create() => new(
        "persistence",
        "Persistent account actors over the in-memory, SQLite and PostgreSQL journals (Actors.Persistence, Bank.Actors).",
        new ThroughputBenchmark(StoreKind.InMemory),
        new ThroughputBenchmark(StoreKind.Sqlite),
        new ThroughputBenchmark(StoreKind.Postgres),
        new RecoveryBenchmark(),
        new IdleAccountMemoryBenchmark(),
        new RecoveryRateBenchmark(),
        new DiskLimitsBenchmark());
}
