using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Http;

/// <summary>The bank's HTTP API under load: the real host (in-process, or another one with --url) and a keep-alive load generator.</summary>
public static class HttpSuite
{
    public static BenchmarkSuite Create() => new(
        "http",
        "Load on the bank HTTP API (Bank.Host): random deposits and withdrawals, latency percentiles, exact balance check.",
        new HttpLoadBenchmark());
}
