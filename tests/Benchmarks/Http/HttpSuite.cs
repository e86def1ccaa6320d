using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Http;

public static class HttpSuite
{
    public static BenchmarkSuite Create() => new(
        "http",
        "The bank host in-process on Kestrel (SQLite), loaded over raw keep-alive sockets: requests/s, p50/p99, balance check.",
        new HttpLoadBenchmark());
}
