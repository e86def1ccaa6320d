using System.CommandLine;

namespace Actors.Benchmarks.Shared;

/// <summary>Whether a bigger figure is better (throughput) or a smaller one (memory, latency).</summary>
public enum Better { Higher, Lower }

/// <summary>What a benchmark measures, and the figures it is held against.</summary>
/// <param name="Unit">Printed after the figure, e.g. "msg/s".</param>
/// <param name="Reference">The Akka.NET figure for the same benchmark (null if there is none).</param>
/// <param name="ReferenceLabel">Where the reference comes from, e.g. "Akka.NET 1.5.30".</param>
/// <param name="Target">Our goal; null if there is none.</param>
public sealed record Metric(string Unit, Better Better, double? Reference, string ReferenceLabel, double? Target)
{
    public bool Meets(double value) => Target is not { } target || (Better == Better.Higher ? value >= target : value <= target);

    /// <summary>How much better than the reference we are (&gt; 1 is better, whatever the direction).</summary>
    public double? Advantage(double value) =>
        Reference is not { } reference || reference == 0 || value == 0 ? null
        : Better == Better.Higher ? value / reference : reference / value;
}

/// <summary>The samples of one benchmark (one per measured run) and what they are measured against.</summary>
public sealed record BenchmarkResult(string Suite, string Name, Metric Metric, IReadOnlyList<double> Samples, string? Note = null)
{
    public double Median => Stats.Median(Samples);
    public double Min => Samples.Min();
    public double Max => Samples.Max();
}

/// <summary>
/// One benchmark: a name (its subcommand), its own options, and a run that returns the measured samples.
/// Use <see cref="Measure.Repeat"/> for the warm-up + runs + progress loop.
/// </summary>
public abstract class Benchmark
{
    public abstract string Name { get; }
    public abstract string Description { get; }

    /// <summary>Options of this benchmark only (sizes, counts); they take their defaults when the whole suite runs.</summary>
    public virtual IEnumerable<Option> Options => [];

    public abstract BenchmarkResult Run(BenchmarkContext context);

    /// <summary>
    /// What Program.cs calls: by default <see cref="Run"/>, as one row. Benchmarks that await (I/O, asks) or report
    /// several figures (throughput and latency) derive from <see cref="AsyncBenchmark"/> instead.
    /// </summary>
    public virtual Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<BenchmarkResult>>([Run(context)]);
}

/// <summary>A benchmark that awaits (databases, HTTP, asks) and may report several rows; use <see cref="Measure.RepeatAsync"/>.</summary>
public abstract class AsyncBenchmark : Benchmark
{
    public sealed override BenchmarkResult Run(BenchmarkContext context) =>
        throw new NotSupportedException($"{Name} runs asynchronously: call RunAsync.");

    public abstract override Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken);
}

/// <summary>A group of benchmarks under one subcommand (core, persistence, http, projection ...): one folder each.</summary>
public sealed class BenchmarkSuite(string name, string description, params Benchmark[] benchmarks)
{
    public string Name { get; } = name;
    public string Description { get; } = description;
    public IReadOnlyList<Benchmark> Benchmarks { get; } = benchmarks;
}

/// <summary>What a running benchmark gets: the common settings, its own options, and the progress printer.</summary>
public sealed class BenchmarkContext(string suite, ParseResult parse, int runs, int warmups, Progress progress)
{
    public string Suite { get; } = suite;
    public int Runs { get; } = runs;
    public int Warmups { get; } = warmups;
    public Progress Progress { get; } = progress;

    /// <summary>
    /// The same context with fewer runs and warm-ups, for benchmarks whose single run is long (a rebuild of a million
    /// events): at most <paramref name="maxRuns"/> runs and <paramref name="maxWarmups"/> warm-ups.
    /// </summary>
    public BenchmarkContext Capped(int maxRuns, int maxWarmups) =>
        new(Suite, parse, Math.Clamp(Runs, 1, maxRuns), Math.Clamp(Warmups, 0, maxWarmups), Progress);

    /// <summary>The value of a benchmark option, or its default when the benchmark runs as part of its whole suite.</summary>
    public T Get<T>(BenchOption<T> option) => parse.GetResult(option.Option) is null ? option.Default : parse.GetValue(option.Option)!;
}

/// <summary>An option that knows its default, so it can be read even where it was not part of the parsed command.</summary>
public sealed class BenchOption<T>
{
    public BenchOption(string name, T defaultValue, string description)
    {
        Default = defaultValue;
        Option = new Option<T>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
    }

    public T Default { get; }
    public Option<T> Option { get; }

    public static implicit operator Option(BenchOption<T> option) => option.Option;
}

public static class Stats
{
    public static double Median(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0) return double.NaN;
        var sorted = samples.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
