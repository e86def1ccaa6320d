using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Actors.Benchmarks.Shared;

/// <summary>Prints what the figures depend on (machine, runtime, GC) and the results table.</summary>
public static class Reporting
{
    public static void PrintMachine(TextWriter output)
    {
        output.WriteLine("Machine");
        output.WriteLine($"  cores        {Environment.ProcessorCount} logical ({CpuModel() ?? "unknown CPU"})");
        output.WriteLine($"  OS           {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
        output.WriteLine($"  .NET         {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})");
        output.WriteLine($"  GC           {(GCSettings.IsServerGC ? "server" : "workstation")}, concurrent {OnOff(AppContext.GetData("System.GC.Concurrent"), @default: true)}, latency mode {GCSettings.LatencyMode}");
        output.WriteLine($"  JIT          tiered PGO {OnOff(AppContext.GetData("System.Runtime.TieredPGO"), @default: true)}, tiered compilation {OnOff(AppContext.GetData("System.Runtime.TieredCompilation"), @default: true)}");
        ThreadPool.GetMinThreads(out var minWorkers, out _);
        output.WriteLine($"  thread pool  min {minWorkers} workers");
        output.WriteLine($"  build        benchmarks {Configuration(typeof(Reporting).Assembly)}, Actors.Core {Configuration(typeof(Actors.Core.ActorSystem).Assembly)}");
        if (Configuration(typeof(Actors.Core.ActorSystem).Assembly) != "Release")
            output.WriteLine("  WARNING      not an optimized build: run with -c Release");
        output.WriteLine();
    }

    /// <summary>One row per benchmark: the median, the spread, the Akka.NET figure and how we compare, the target.</summary>
    public static void PrintTable(TextWriter output, IReadOnlyList<BenchmarkResult> results)
    {
        string[] header = ["benchmark", "median", "min .. max", "reference", "vs reference", "target", "met"];
        var rows = results.Select(r => new[]
        {
            $"{r.Suite} {r.Name}",
            Format(r.Median, r.Metric.Unit),
            $"{Number(r.Min)} .. {Number(r.Max)}",
            r.Metric.Reference is { } reference ? $"{Format(reference, r.Metric.Unit)} ({r.Metric.ReferenceLabel})" : "-",
            r.Metric.Advantage(r.Median) is { } advantage
                ? $"x{(r.Median / r.Metric.Reference!.Value).ToString("0.00", CultureInfo.InvariantCulture)} ({(advantage >= 1 ? $"{advantage:0.00}x better" : $"{1 / advantage:0.00}x worse")})"
                : "-",
            r.Metric.Target is { } target ? $"{(r.Metric.Better == Better.Higher ? ">=" : "<=")} {Format(target, r.Metric.Unit)}" : "-",
            r.Metric.Target is null ? "-" : r.Metric.Meets(r.Median) ? "yes" : "NO",
        }).ToList();

        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
        output.WriteLine(Line(header));
        output.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in rows) output.WriteLine(Line(row));
        foreach (var note in results.Where(r => r.Note is not null)) output.WriteLine($"  {note.Suite} {note.Name}: {note.Note}");
    }

    /// <summary>1234567 msg/s -> "1.23 M msg/s"; 312.4 B -> "312 B"; 3.24 ms -> "3.2 ms".</summary>
    public static string Format(double value, string unit) => $"{Number(value)} {unit}";

    public static string Number(double value) => Math.Abs(value) switch
    {
        >= 1e9 => (value / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " G",
        >= 1e6 => (value / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " M",
        >= 1e4 => (value / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " k",
        // Small figures (a few milliseconds against a 3 ms target) need their decimal to say on which side they are.
        < 10 when value != Math.Floor(value) => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0", CultureInfo.InvariantCulture),
    };

    private static string OnOff(object? setting, bool @default) =>
        (setting is null ? @default : Convert.ToBoolean(setting, CultureInfo.InvariantCulture)) ? "on" : "off";

    private static string Configuration(Assembly assembly) =>
        assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true ? "Debug" : "Release";

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

    public void Info(string benchmark, string text) => output.WriteLine($"[{Elapsed}] {benchmark,-20} {text}");

    public void Sample(string benchmark, string phase, double value, string unit, string? detail = null) =>
        Info(benchmark, $"{phase,-12} {Reporting.Format(value, unit),-22}{(detail is null ? "" : "  " + detail)}");

    private string Elapsed => _clock.Elapsed.ToString(@"mm\:ss\.f", CultureInfo.InvariantCulture);
}
