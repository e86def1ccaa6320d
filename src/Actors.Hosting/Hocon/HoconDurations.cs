using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Actors.Hosting.Hocon;

/// <summary>
/// Parses HOCON durations (<c>5s</c>, <c>100ms</c>, <c>2 minutes</c>, <c>1h</c>, <c>3d</c>; a plain number is
/// milliseconds) and, for values coming from other configuration sources, TimeSpan text such as <c>00:00:05</c>.
/// </summary>
public static class HoconDurations
{
    private const decimal TicksPerMillisecond = TimeSpan.TicksPerMillisecond;

    private static readonly Dictionary<string, decimal> TicksPerUnit = BuildUnits();

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a valid duration; expected forms like 5s, 100ms, 2 minutes, 1h, 3d or 00:00:05.");

    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (HoconUnitNumber.TrySplit(trimmed, out var amount, out var unit))
        {
            if (unit.Length == 0)
            {
                return TryFromTicks(amount, TicksPerMillisecond, out value);
            }

            if (TicksPerUnit.TryGetValue(unit, out var ticksPerUnit))
            {
                return TryFromTicks(amount, ticksPerUnit, out value);
            }
        }

        return TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryFromTicks(decimal amount, decimal ticksPerUnit, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        try
        {
            var ticks = decimal.Round(amount * ticksPerUnit, MidpointRounding.AwayFromZero);
            if (ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks)
            {
                return false;
            }

            value = TimeSpan.FromTicks((long)ticks);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static Dictionary<string, decimal> BuildUnits()
    {
        var units = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
        Add(TicksPerMillisecond / 1_000_000m, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        Add(TicksPerMillisecond / 1_000m, "us", "µs", "micro", "micros", "microsecond", "microseconds");
        Add(TicksPerMillisecond, "ms", "milli", "millis", "millisecond", "milliseconds");
        Add(TimeSpan.TicksPerSecond, "s", "sec", "secs", "second", "seconds");
        Add(TimeSpan.TicksPerMinute, "m", "min", "mins", "minute", "minutes");
        Add(TimeSpan.TicksPerHour, "h", "hour", "hours");
        Add(TimeSpan.TicksPerDay, "d", "day", "days");
        return units;

        void Add(decimal ticks, params string[] names)
        {
            foreach (var name in names)
            {
                units.Add(name, ticks);
            }
        }
    }
}
