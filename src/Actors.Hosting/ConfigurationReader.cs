using Actors.Hosting.Hocon;
using Microsoft.Extensions.Configuration;

namespace Actors.Hosting;

/// <summary>Typed reads of flattened HOCON keys (<c>actors:persistence:sqlite:max-batch-size</c>), with defaults and clear errors.</summary>
public static class ConfigurationReader
{
    public static string GetString(this IConfiguration configuration, string key, string defaultValue) =>
        configuration[key] is { Length: > 0 } value ? value : defaultValue;

    public static int GetInt(this IConfiguration configuration, string key, int defaultValue) =>
        Parse(configuration, key, defaultValue, static s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture));

    public static bool GetBool(this IConfiguration configuration, string key, bool defaultValue) =>
        Parse(configuration, key, defaultValue, static s => bool.Parse(s));

    /// <summary>Reads <c>5s</c>, <c>2m</c>, <c>250ms</c> or <c>00:00:05</c>.</summary>
    public static TimeSpan GetDuration(this IConfiguration configuration, string key, TimeSpan defaultValue) =>
        Parse(configuration, key, defaultValue, HoconDurations.Parse);

    /// <summary>Reads <c>64KB</c>, <c>10 MiB</c> or a plain number of bytes.</summary>
    public static long GetSize(this IConfiguration configuration, string key, long defaultValue) =>
        Parse(configuration, key, defaultValue, HoconSizes.Parse);

    private static T Parse<T>(IConfiguration configuration, string key, T defaultValue, Func<string, T> parse)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw)) return defaultValue;
        try { return parse(raw.Trim()); }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidOperationException($"Configuration key '{key}' has the value '{raw}', which is not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }
}
