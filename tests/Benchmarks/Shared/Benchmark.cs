using System.Globalization;

namespace Actors.Benchmarks.Shared;

/// <summary>Whether a bigger figure is better (throughput) or a smaller one (memory, latency).</summary>
public enum Better { Higher, Lower }

/// <summary>
/// The configuration a figure is measured on. Every benchmark measures <see cref="Ours"/> beside <see cref="Plain"/> in
/// the same run; <see cref="GroupCommit"/> is the column for the group-commit journal (src/Actors.Journal) once it is
/// in main.
/// </summary>
public enum Variant
{
    /// <summary>The product's settings: hocon/bank.conf (+ postgres.conf), the bank serializer, WAL on SQLite.</summary>
    Ours,

    /// <summary>The same account actor on Akka.Persistence.Sql's default settings and Akka's default serializer.</summary>
    Plain,

    /// <summary>Our settings with the group-commit journal (src/Actors.Journal) as the write plugin instead of Akka.Persistence.Sql's.</summary>
    GroupCommit,
}

public static class Variants
{
    public static string Label(this Variant variant) => variant switch
    {
        Variant.Ours => "ours",
        Variant.Plain => "plain Akka defaults",
        _ => "group-commit journal",
    };

    /// <summary>Whether this build can run the variant (all three since the group-commit journal is in main).</summary>
    public static bool Available(this Variant variant) => true;

    public static IReadOnlyList<Variant> Parse(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(name => name.ToLowerInvariant() switch
        {
            "ours" => Variant.Ours,
            "plain" or "defaults" => Variant.Plain,
            "group-commit" or "groupcommit" => Variant.GroupCommit,
            _ => throw new ArgumentException($"Unknown variant '{name}': ours, plain or group-commit."),
        })
        .Distinct()
        .ToList();
}

/// <summary>What a benchmark measures, its unit and direction, and the figure it must not be worse than.</summary>
/// <param name="Target">The tuned figure of shared/AKKA-NOTES.md (or another stated goal); null if there is none.</param>
/// <param name="TargetSource">Where <paramref name="Target"/> comes from, printed under the table.</param>
public sealed record Metric(string Unit, Better Better, double? Target = null, string? TargetSource = null)
{
    public bool Meets(double value) => Target is not { } target || (Better == Better.Higher ? value >= target : value <= target);

    /// <summary>How much better <paramref name="value"/> is than <paramref name="other"/> (&gt; 1 is better, whatever the direction).</summary>
    public double? Advantage(double value, double other) =>
        other == 0 || value == 0 || double.IsNaN(value) || double.IsNaN(other) ? null
        : Better == Better.Higher ? value / other : other / value;
}

/// <summary>One row of the table: the samples per variant (one per measured run), what limits the figure, notes.</summary>
public sealed class BenchmarkResult(string suite, string name, Metric metric)
{
    public string Suite { get; } = suite;
    public string Name { get; } = name;
    public Metric Metric { get; } = metric;
    public Dictionary<Variant, IReadOnlyList<double>> Samples { get; } = [];

    /// <summary>A variant that could not be measured, and why (it shows in its column).</summary>
    public Dictionary<Variant, string> Failures { get; } = [];

    /// <summary>What limits our figure, with the evidence from this run (CPU use, GC, transactions).</summary>
    public string? Bottleneck { get; set; }

    public List<string> Notes { get; } = [];

    /// <summary>Why the row has no figures at all in this build (e.g. what it needs is not merged yet); its cells say "not measured".</summary>
    public string? NotMeasured { get; set; }

    public double? Median(Variant variant) => Samples.TryGetValue(variant, out var samples) && samples.Count > 0 ? Stats.Median(samples) : null;

    public BenchmarkResult With(Variant variant, IReadOnlyList<double> samples)
    {
        Samples[variant] = samples;
        return this;
    }
}

/// <summary>
/// One benchmark: a name (a word after the suite on the command line), its own options, and a run that returns rows.
/// </summary>
public abstract class Benchmark
{
    public abstract string Name { get; }
    public abstract string Description { get; }

    /// <summary>Options of this benchmark (sizes, counts), listed by --help; they take their defaults unless given.</summary>
    public virtual IEnumerable<IBenchOption> Options => [];

    public abstract Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext context, CancellationToken cancellationToken);
}

/// <summary>A group of benchmarks under one command-line word (core, persistence, http, projection).</summary>
public sealed class BenchmarkSuite(string name, string description, params Benchmark[] benchmarks)
{
    public string Name { get; } = name;
    public string Description { get; } = description;
    public IReadOnlyList<Benchmark> Benchmarks { get; } = benchmarks;
}

/// <summary>What a running benchmark gets: the common settings, the command line, the progress printer.</summary>
public sealed class BenchmarkContext(string suite, Arguments arguments, IReadOnlyList<Variant> variants, Progress progress)
{
    public string Suite { get; } = suite;
    public Arguments Arguments { get; } = arguments;
    public Progress Progress { get; } = progress;

    /// <summary>The variants asked for (--variants), in order; all available ones by default.</summary>
    public IReadOnlyList<Variant> Variants { get; } = variants;

    /// <summary>Measured runs: --runs, else the benchmark's own default (long runs default to fewer).</summary>
    public int Runs(int @default) => Math.Max(1, Arguments.Get("runs", @default));

    /// <summary>Unmeasured runs first: --warmups, else the benchmark's own default.</summary>
    public int Warmups(int @default) => Math.Max(0, Arguments.Get("warmups", @default));

    public T Get<T>(BenchOption<T> option) => Arguments.Get(option.Name, option.Default);

    public void Info(string benchmark, string text) => Progress.Info($"{Suite} {benchmark}", text);
}

public interface IBenchOption
{
    string Name { get; }
    string Description { get; }
    string DefaultText { get; }
}

/// <summary>An option of one benchmark: <c>--name value</c> on the command line.</summary>
public sealed class BenchOption<T>(string name, T defaultValue, string description) : IBenchOption
{
    public string Name { get; } = name.TrimStart('-');
    public T Default { get; } = defaultValue;
    public string Description { get; } = description;
    public string DefaultText => Convert.ToString(Default, CultureInfo.InvariantCulture) ?? "";
}

/// <summary>The command line: positional words (suite, benchmark) and <c>--name value</c> / <c>--flag</c> options.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string> _options = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    public Arguments(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                Words.Add(arg);
                continue;
            }
            var name = arg[2..];
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0) _options[name[..equals]] = name[(equals + 1)..];
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) _options[name] = args[++i];
            else _options[name] = "true";
        }
    }

    public List<string> Words { get; } = [];

    public bool Has(string name) => _options.ContainsKey(name);

    public T Get<T>(string name, T @default)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var text)) return @default;
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        try
        {
            return (T)Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--{name} {text}: not a {type.Name}.");
        }
    }

    /// <summary>Options given on the command line that no benchmark asked for (a typo, or an option of another benchmark).</summary>
    public IEnumerable<string> Unused => _options.Keys.Where(k => !_used.Contains(k));
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

    /// <summary>The p-quantile (0..1) of sorted values, nearest rank.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return double.NaN;
        var index = (int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1);
        return sorted[Math.Max(0, index)];
    }
}
