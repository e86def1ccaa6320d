using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Transfers;

public static class TransferSuite
{
    public static BenchmarkSuite Create() => new(
        "transfers",
        "Transfers end to end (POST /transfers until every transfer ended) on the product host, SQLite and PostgreSQL, beside deposits on the same host.",
        new TransferThroughputBenchmark());
}
