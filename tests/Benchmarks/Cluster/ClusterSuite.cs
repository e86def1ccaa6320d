using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Clustered;

public static class ClusterSuite
{
    public static BenchmarkSuite Create() => new(
        "cluster",
        "The built host as 1 and as 3 processes (one Akka cluster, one throwaway PostgreSQL): requests/s and p99 under the same load, the remote hop, failover after SIGKILL.",
        new ClusterBenchmark());
}
