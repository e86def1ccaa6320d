using System.Diagnostics.CodeAnalysis;

namespace Actors.Hosting.Hocon;

/// <summary>
/// Parses byte sizes such as <c>64KB</c>, <c>64 KiB</c>, <c>10MB</c> or <c>1g</c>; a plain number is bytes.
/// As in HOCON, single-letter and "i" units are powers of two (1g = 2^30) while "B" units are powers
/// of ten (10MB = 10^7). Units are matched case-insensitively, so "KB" is accepted as kilobytes.
/// </summary>
public static class HoconSizes
{
    private static readonly Dictionary<string, decimal> BytesPerUnit = BuildUnits();

    public static long Parse(string text) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a valid size; expected forms like 512, 64KB, 64 KiB, 10MB or 1g.");

    public static bool TryParse([NotNullWhen(true)] string? text, out long value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text)
            || !HoconUnitNumber.TrySplit(text.Trim(), out var amount, out var unit)
            || amount < 0
            || !BytesPerUnit.TryGetValue(unit, out var bytesPerUnit))
        {
            return false;
        }

        try
        {
            var bytes = decimal.Truncate(amount * bytesPerUnit);
            if (bytes > long.MaxValue)
            {
                return false;
            }

            value = (long)bytes;
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
        Add(1m, string.Empty, "b", "byte", "bytes");
        string[] binaryPrefixes = ["k", "m", "g", "t", "p"];
        string[] binaryNames = ["kibi", "mebi", "gibi", "tebi", "pebi"];
        string[] decimalNames = ["kilo", "mega", "giga", "tera", "peta"];
        for (var i = 0; i < binaryPrefixes.Length; i++)
        {
            var power = i + 1;
            var prefix = binaryPrefixes[i];
            Add(Pow(1024m, power), prefix, $"{prefix}i", $"{prefix}ib", $"{binaryNames[i]}byte", $"{binaryNames[i]}bytes");
            Add(Pow(1000m, power), $"{prefix}b", $"{decimalNames[i]}byte", $"{decimalNames[i]}bytes");
        }

        return units;

        void Add(decimal bytes, params string[] names)
        {
            foreach (var name in names)
            {
                units.Add(name, bytes);
            }
        }
    }

    private static decimal Pow(decimal value, int power)
    {
        var result = 1m;
        for (var i = 0; i < power; i++)
        {
            result *= value;
        }

        return result;
    }
}
