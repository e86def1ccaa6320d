using Actors.Benchmarks.Nodes;
using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Persistence;

/// <summary>Sharded asks on the SQL journals, and what the raw disk allows without Akka.</summary>
public static class PersistenceSuite
{
    public static BenchmarkSuite Create() => new(
        "persistence",
        "Sharded asks on Akka.Persistence.Sql over SQLite and PostgreSQL, and the raw-disk limits.",
        new ShardedThroughputBenchmark(StoreKind.Sqlite),
        new ShardedThroughputBenchmark(StoreKind.Postgres),
        new DiskLimitsBenchmark());
}
