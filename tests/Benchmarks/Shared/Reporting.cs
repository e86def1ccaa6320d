using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Actors.Benchmarks.Shared;

/// <summary>Prints what the figures depend on (machine, load, runtime, GC) and the results table.</summary>
public static class Reporting
{
    public static void PrintMachine(TextWriter output)
    {
        output.WriteLine("Machine");
        output.WriteLine($"  cores        {Environment.ProcessorCount} logical ({CpuModel() ?? "unknown CPU"})");
        output.WriteLine($"  load         {LoadAverage() ?? "unknown"} (1/5/15 min load average at start: above the core count, neighbours share the CPU and the figures are only indicative)");
        output.WriteLine($"  OS           {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
        output.WriteLine($"  .NET         {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})");
        output.WriteLine($"  GC           {(GCSettings.IsServerGC ? "server" : "workstation")}, concurrent {OnOff(AppContext.GetData("System.GC.Concurrent"), @default: true)}, latency mode {GCSettings.LatencyMode}"
                         + (Environment.GetEnvironmentVariable("DOTNET_GCgen0size") is { } gen0 ? $", DOTNET_GCgen0size={gen0}" : ""));
        output.WriteLine($"  JIT          tiered PGO {OnOff(AppContext.GetData("System.Runtime.TieredPGO"), @default: true)}, tiered compilation {OnOff(AppContext.GetData("System.Runtime.TieredCompilation"), @default: true)}");
        output.WriteLine($"  Akka         Akka {Version(typeof(Akka.Actor.ActorSystem).Assembly)}, Akka.Persistence.Sql {Version(typeof(Akka.Persistence.Sql.SqlPersistence).Assembly)}, "
                         + $"linq2db {Version(typeof(LinqToDB.DataContext).Assembly)}, Microsoft.Data.Sqlite {Version(typeof(Microsoft.Data.Sqlite.SqliteConnection).Assembly)}, Npgsql {Version(typeof(Npgsql.NpgsqlConnection).Assembly)}");
        output.WriteLine($"  build        benchmarks {Configuration(typeof(Reporting).Assembly)}, Bank.Actors {Configuration(typeof(Bank.Actors.Accounts.AccountActor).Assembly)}");
        if (Configuration(typeof(Bank.Actors.Accounts.AccountActor).Assembly) != "Release")
            output.WriteLine("  WARNING      not an optimized build: run with -c Release");
        output.WriteLine();
    }

    /// <summary>
    /// One row per figure: ours (median, with min .. max over several runs), plain Akka defaults, how we compare, the
    /// group-commit journal's column, the target and whether ours meets it, and what limits ours.
    /// </summary>
    public static void PrintTable(TextWriter output, IReadOnlyList<BenchmarkResult> results)
    {
        string[] header = ["benchmark", "ours", "plain Akka defaults", "ours vs plain", "group-commit journal", "target", "met", "bottleneck (ours)"];
        var rows = results.Select(r => new[]
        {
            $"{r.Suite} {r.Name}",
            Cell(r, Variant.Ours),
            Cell(r, Variant.Plain),
            r.Median(Variant.Ours) is { } ours && r.Median(Variant.Plain) is { } plain && r.Metric.Advantage(ours, plain) is { } advantage
                ? advantage >= 1 ? $"{advantage:0.00}x better" : $"{1 / advantage:0.00}x worse"
                : "-",
            Cell(r, Variant.GroupCommit),
            r.Metric.Target is { } target ? $"{(r.Metric.Better == Better.Higher ? ">=" : "<=")} {Format(target, r.Metric.Unit)}" : "-",
            r.Metric.Target is null || r.Median(Variant.Ours) is not { } value ? "-" : r.Metric.Meets(value) ? "yes" : "**NO**",
            r.Bottleneck ?? "-",
        }).ToList();

        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.Replace("|", "/", StringComparison.Ordinal).PadRight(widths[i]))) + " |";
        output.WriteLine(Line(header));
        output.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in rows) output.WriteLine(Line(row));
        output.WriteLine();
        foreach (var r in results)
        {
            if (r.NotMeasured is not null) output.WriteLine($"- {r.Suite} {r.Name}: not measured: {r.NotMeasured}");
            foreach (var note in r.Notes) output.WriteLine($"- {r.Suite} {r.Name}: {note}");
            foreach (var (variant, failure) in r.Failures) output.WriteLine($"- {r.Suite} {r.Name}, {variant.Label()}: {failure}");
        }
        var sources = results.Where(r => r.Metric.TargetSource is not null).Select(r => r.Metric.TargetSource!).Distinct().ToList();
        if (sources.Count > 0) output.WriteLine($"Targets: {string.Join("; ", sources)}.");
    }

    private static string Cell(BenchmarkResult r, Variant variant)
    {
        if (r.NotMeasured is not null) return variant.Available() ? "not measured" : "n/a";
        if (r.Failures.TryGetValue(variant, out var failure)) return "failed (see below)";
        if (!r.Samples.TryGetValue(variant, out var samples) || samples.Count == 0)
            return variant == Variant.GroupCommit && !variant.Available() ? "n/a (not in main yet)" : "-";
        var median = Format(Stats.Median(samples), r.Metric.Unit);
        return samples.Count == 1 ? median : $"{median} ({Number(samples.Min())} .. {Number(samples.Max())})";
    }

    /// <summary>1234567 msg/s -> "1.23 M msg/s"; 312.4 B -> "312 B"; 3.24 ms -> "3.2 ms".</summary>
    public static string Format(double value, string unit) => $"{Number(value)} {unit}";

    public static string Number(double value) => Math.Abs(value) switch
    {
        _ when double.IsNaN(value) => "NaN",
        >= 1e9 => (value / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " G",
        >= 1e6 => (value / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " M",
        >= 1e4 => (value / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " k",
        >= 1e3 => value.ToString("#,0", CultureInfo.InvariantCulture),
        // Small figures (a few milliseconds) need their decimal to say on which side of a target they are.
        < 10 when value != Math.Floor(value) => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0", CultureInfo.InvariantCulture),
    };

    private static string OnOff(object? setting, bool @default) =>
        (setting is null ? @default : Convert.ToBoolean(setting, CultureInfo.InvariantCulture)) ? "on" : "off";

    private static string Configuration(Assembly assembly) =>
        assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true ? "Debug" : "Release";

    private static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "?";

    public static string? LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? CpuModel()
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo")) return null;
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>Progress lines while benchmarks run, with the time since the start so slow phases show.</summary>
public sealed class Progress(TextWriter output)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Info(string benchmark, string text)
    {
        lock (_lock) output.WriteLine($"[{_clock.Elapsed.ToString(@"mm\:ss\.f", CultureInfo.InvariantCulture)}] {benchmark,-28} {text}");
    }

    public void Sample(string benchmark, string phase, double value, string unit, string? detail = null) =>
        Info(benchmark, $"{phase,-12} {Reporting.Format(value, unit),-18}{(detail is null ? "" : "  " + detail)}");
}
