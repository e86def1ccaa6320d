using System.CommandLine;
using Actors.Benchmarks.Core;
using Actors.Benchmarks.Http;
using Actors.Benchmarks.Persistence;
using Actors.Benchmarks.Projection;
using Actors.Benchmarks.Shared;

// One subcommand per suite (one folder each); running a suite runs all its benchmarks, a second word picks one.
// To add a suite: make a folder (e.g. Persistence/), a XxxSuite.Create() returning a BenchmarkSuite, and list it here.
BenchmarkSuite[] suites =
[
    CoreSuite.Create(),
    PersistenceSuite.Create(),
    HttpSuite.Create(),
    ProjectionSuite.Create(),
];

var runs = new Option<int>("--runs") { Description = "Measured runs per benchmark (the median is reported).", DefaultValueFactory = _ => 5, Recursive = true };
var warmups = new Option<int>("--warmups") { Description = "Unmeasured runs before them.", DefaultValueFactory = _ => 1, Recursive = true };
var check = new Option<bool>("--check") { Description = "Exit with code 1 when a benchmark misses its target.", Recursive = true };

var root = new RootCommand("Actors benchmarks: plain console runs (warm-up, several runs, median) compared with Akka.NET figures.");
root.Options.Add(runs);
root.Options.Add(warmups);
root.Options.Add(check);

foreach (var suite in suites)
{
    var suiteCommand = new Command(suite.Name, $"{suite.Description} Without a benchmark name, runs them all.");
    suiteCommand.SetAction((parse, cancellationToken) => RunAsync(parse, suite, suite.Benchmarks, cancellationToken));
    foreach (var benchmark in suite.Benchmarks)
    {
        var command = new Command(benchmark.Name, benchmark.Description);
        foreach (var option in benchmark.Options) command.Options.Add(option);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, suite, [benchmark], cancellationToken));
        suiteCommand.Subcommands.Add(command);
    }
    root.Subcommands.Add(suiteCommand);
}

return await root.Parse(args).InvokeAsync();

async Task<int> RunAsync(ParseResult parse, BenchmarkSuite suite, IReadOnlyList<Benchmark> benchmarks, CancellationToken cancellationToken)
{
    var output = Console.Out;
    Reporting.PrintMachine(output);
    var progress = new Progress(output);
    var results = new List<BenchmarkResult>();
    foreach (var benchmark in benchmarks)
    {
        var context = new BenchmarkContext(suite.Name, parse, Math.Max(1, parse.GetValue(runs)), Math.Max(0, parse.GetValue(warmups)), progress);
        progress.Info($"{suite.Name} {benchmark.Name}", benchmark.Description);
        results.AddRange(await benchmark.RunAsync(context, cancellationToken));
    }
    output.WriteLine();
    Reporting.PrintTable(output, results);
    return parse.GetValue(check) && results.Any(r => !r.Metric.Meets(r.Median)) ? 1 : 0;
}
