using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Projection;

/// <summary>
/// Projection lag p99 and read-model rebuild events/s. They need the read side on Akka.Streams (src/Bank.ReadModels),
/// which is being rewritten in another branch: until it is in main, this suite only says so.
/// </summary>
public static class ProjectionSuite
{
    public static BenchmarkSuite Create() => new(
        "projection",
        "Projection lag p99 and read-model rebuild events/s (waiting for the read side on Akka.Streams to be merged).",
        new PendingReadSideBenchmark());

    private sealed class PendingReadSideBenchmark : Benchmark
    {
        public override string Name => "pending";
        public override string Description => "Not measurable yet: the read side (src/Bank.ReadModels on Akka.Streams) is not in main.";

        public override Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
        {
            context.Info(Name, "the read side on Akka.Streams is not merged yet: projection lag and rebuild are not measured");
            IReadOnlyList<BenchmarkResult> rows =
            [
                Pending(context, "lag-p99", new Metric("ms", Better.Lower)),
                Pending(context, "rebuild", new Metric("events/s", Better.Higher)),
            ];
            return Task.FromResult(rows);
        }

        private static BenchmarkResult Pending(BenchmarkContext context, string name, Metric metric)
        {
            return new BenchmarkResult(context.Suite, name, metric)
            {
                Bottleneck = "-",
                NotMeasured = "the read side on Akka.Streams (src/Bank.ReadModels) is not in main yet; this suite gets its benchmarks once it is",
            };
        }
    }
}
