using Actors.Benchmarks.Clustered;
using Actors.Benchmarks.Core;
using Actors.Benchmarks.Http;
using Actors.Benchmarks.Persistence;
using Actors.Benchmarks.Projection;
using Actors.Benchmarks.Shared;
using Actors.Benchmarks.Transfers;

// Usage: Actors.Benchmarks <core|persistence|http|projection|cluster|transfers|all> [benchmark] [--option value ...]
// One suite per folder; a second word runs one benchmark of the suite. To add a suite: a folder, an XxxSuite.Create()
// returning a BenchmarkSuite, and a line here.
BenchmarkSuite[] suites =
[
    CoreSuite.Create(),
    PersistenceSuite.Create(),
    HttpSuite.Create(),
    ProjectionSuite.Create(),
    ClusterSuite.Create(),
    TransferSuite.Create(),
];

Arguments arguments;
try
{
    arguments = new Arguments(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

if (arguments.Words.Count == 0 || arguments.Has("help") || arguments.Words[0] is "help" or "-h")
{
    PrintHelp();
    return arguments.Words.Count == 0 && !arguments.Has("help") ? 2 : 0;
}

var suiteName = arguments.Words[0].ToLowerInvariant();
var selected = suiteName == "all" ? suites : suites.Where(s => s.Name == suiteName).ToArray();
if (selected.Length == 0)
{
    Console.Error.WriteLine($"Unknown suite '{arguments.Words[0]}': {string.Join(", ", suites.Select(s => s.Name))} or all.");
    return 2;
}

var benchmarks = selected.SelectMany(s => s.Benchmarks.Select(b => (Suite: s, Benchmark: b))).ToList();
if (arguments.Words.Count > 1)
{
    var names = arguments.Words.Skip(1).ToHashSet(StringComparer.OrdinalIgnoreCase);
    benchmarks = benchmarks.Where(b => names.Contains(b.Benchmark.Name)).ToList();
    if (benchmarks.Count == 0)
    {
        Console.Error.WriteLine($"No benchmark named {string.Join(", ", names)} in {suiteName}: {string.Join(", ", selected.SelectMany(s => s.Benchmarks).Select(b => b.Name))}.");
        return 2;
    }
}

IReadOnlyList<Variant> variants;
try
{
    variants = Variants.Parse(arguments.Get("variants", "ours,plain,group-commit"));
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

var output = Console.Out;
Reporting.PrintMachine(output);
var progress = new Progress(output);
var results = new List<BenchmarkResult>();
var failed = 0;
foreach (var (suite, benchmark) in benchmarks)
{
    var context = new BenchmarkContext(suite.Name, arguments, variants, progress);
    var started = progress.Elapsed;
    context.Info(benchmark.Name, benchmark.Description);
    try
    {
        results.AddRange(await benchmark.RunAsync(context, cancellation.Token));
    }
    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
    {
        context.Info(benchmark.Name, "cancelled");
        break;
    }
    catch (Exception e)
    {
        // One broken benchmark must not cost the others' figures: report it and go on.
        failed++;
        context.Info(benchmark.Name, $"FAILED: {e}");
    }
    context.Info(benchmark.Name, $"took {(progress.Elapsed - started).TotalSeconds:0} s");
}

foreach (var unused in arguments.Unused) output.WriteLine($"warning: --{unused} was not used by any benchmark that ran");
output.WriteLine();
output.WriteLine($"Results ({progress.Elapsed.TotalMinutes:0.0} min; load average now {Reporting.LoadAverage() ?? "unknown"})");
output.WriteLine();
Reporting.PrintTable(output, results);
var missed = results.Count(r => r.Median(Variant.Ours) is { } ours && !r.Metric.Meets(ours));
if (failed > 0) output.WriteLine($"{failed} benchmark(s) failed: see FAILED above.");
return failed > 0 ? 1 : arguments.Get("check", false) && missed > 0 ? 1 : 0;

void PrintHelp()
{
    Console.WriteLine("""
        Benchmarks of the bank on Akka.NET: each figure beside plain Akka defaults measured in the same run.

        Usage: dotnet run -c Release --project tests/Benchmarks -- <suite|all> [benchmark ...] [options]

        Common options:
          --runs N          measured runs per variant (the median is reported; each benchmark has its own default)
          --warmups N       unmeasured runs first
          --variants LIST   ours,plain,group-commit (default: all that this build has)
          --check           exit with 1 when a figure of ours misses its target
        """);
    foreach (var suite in suites)
    {
        Console.WriteLine($"{suite.Name}: {suite.Description}");
        foreach (var benchmark in suite.Benchmarks)
        {
            Console.WriteLine($"  {benchmark.Name,-22} {benchmark.Description}");
            foreach (var option in benchmark.Options) Console.WriteLine($"      --{option.Name,-18} {option.Description} (default {option.DefaultText})");
        }
    }
}
