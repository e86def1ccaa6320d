using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Actors.Hosting.Hocon;

public sealed partial class HoconConfig
{
    private const string IntegerType = "an integer";
    private const string BooleanType = "a boolean (true/false, yes/no, on/off)";
    private const string DecimalType = "a number";
    private const string DurationType = "a duration such as 5s, 100ms or 2 minutes";
    private const string SizeType = "a size such as 64KiB or 10MB";

    // Strings convert as well as numbers so that values substituted from environment variables work.
    private delegate bool TextParser<T>(string text, out T value);

    public string GetString(string path) => Convert<string>(path, Require(path), "a string", TryParseString);

    [return: NotNullIfNotNull(nameof(defaultValue))]
    public string? GetString(string path, string? defaultValue) =>
        TryFind(path, out var value) ? Convert<string>(path, value, "a string", TryParseString) : defaultValue;

    public int GetInt(string path) => Convert<int>(path, Require(path), IntegerType, TryParseInt);

    public int GetInt(string path, int defaultValue) =>
        TryFind(path, out var value) ? Convert<int>(path, value, IntegerType, TryParseInt) : defaultValue;

    public long GetLong(string path) => Convert<long>(path, Require(path), IntegerType, TryParseLong);

    public long GetLong(string path, long defaultValue) =>
        TryFind(path, out var value) ? Convert<long>(path, value, IntegerType, TryParseLong) : defaultValue;

    public bool GetBool(string path) => Convert<bool>(path, Require(path), BooleanType, TryParseBool);

    public bool GetBool(string path, bool defaultValue) =>
        TryFind(path, out var value) ? Convert<bool>(path, value, BooleanType, TryParseBool) : defaultValue;

    public decimal GetDecimal(string path) => Convert<decimal>(path, Require(path), DecimalType, TryParseDecimal);

    public decimal GetDecimal(string path, decimal defaultValue) =>
        TryFind(path, out var value) ? Convert<decimal>(path, value, DecimalType, TryParseDecimal) : defaultValue;

    public TimeSpan GetTimeSpan(string path) => Convert<TimeSpan>(path, Require(path), DurationType, HoconDurations.TryParse);

    public TimeSpan GetTimeSpan(string path, TimeSpan defaultValue) =>
        TryFind(path, out var value) ? Convert<TimeSpan>(path, value, DurationType, HoconDurations.TryParse) : defaultValue;

    /// <summary>A size in bytes.</summary>
    public long GetByteSize(string path) => Convert<long>(path, Require(path), SizeType, HoconSizes.TryParse);

    public long GetByteSize(string path, long defaultValue) =>
        TryFind(path, out var value) ? Convert<long>(path, value, SizeType, HoconSizes.TryParse) : defaultValue;

    private static bool TryParseString(string text, out string value)
    {
        value = text;
        return true;
    }

    private static bool TryParseInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool TryParseLong(string text, out long value) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static bool TryParseDecimal(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static bool TryParseBool(string text, out bool value)
    {
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "on":
                value = true;
                return true;
            case "false" or "no" or "off":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    private T Convert<T>(string path, HoconValue value, string expected, TextParser<T> parse) =>
        value is HoconScalar scalar && parse(scalar.Text, out var result)
            ? result
            : throw new HoconWrongTypeException(FullPath(path), expected, value);
}
