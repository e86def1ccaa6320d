using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Projection;

/// <summary>
/// The read side as the host runs it (src/Bank.ReadModels, the "bank-accounts" projection on Akka.Streams over the SQL
/// read journal, in the journal's SQLite file): how long an acknowledged event takes to be in the read model, and how
/// fast the read model is rebuilt from the journal.
/// </summary>
public static class ProjectionSuite
{
    public static BenchmarkSuite Create() => new(
        "projection",
        "The bank-accounts projection in the in-process host (SQLite): lag of acknowledged deposits, and rebuild events/s.",
        new ProjectionLagBenchmark(),
        new ProjectionRebuildBenchmark());
}
