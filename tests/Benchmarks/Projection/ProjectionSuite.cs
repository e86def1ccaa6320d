using Actors.Benchmarks.Core;
using Actors.Benchmarks.Shared;

namespace Actors.Benchmarks.Projection;

/// <summary>
/// The read side over SQLite: the bank's "bank-accounts" projection (Bank.ReadModels) fed by the SQLite read journal
/// (Actors.Persistence.Query), in the journal's own file, as the host runs it.
/// </summary>
public static class ProjectionSuite
{
    public const string Akka = CoreSuite.Akka;

    public static BenchmarkSuite Create() => new(
        "projection",
        "The bank read model over SQLite: projection lag under a write load, rebuild speed (Actors.Persistence.Query, Bank.ReadModels).",
        new ProjectionLagBenchmark(),
        new ProjectionRebuildBenchmark());
}
