using System.Globalization;

namespace Bank.Domain;

/// <summary>Culture-independent decimal formatting.</summary>
internal static class DecimalText
{
    // A decimal has at most 28 digits after the point, so 28 optional digits print every one that is not a trailing zero.
    private const string AllSignificantDigits = "0.############################";
    private const string MoneyDigits = "#,##0.00##########################";

    /// <summary>The value without trailing zeros, so 100.5m and 100.50m give "100.5"; never exponent notation.</summary>
    public static string Normalized(decimal value) => value.ToString(AllSignificantDigits, CultureInfo.InvariantCulture);

    /// <summary>For human sentences: at least two decimals, thousands separated, e.g. "1,000.50" or "1.001".</summary>
    public static string Money(decimal value) => value.ToString(MoneyDigits, CultureInfo.InvariantCulture);
}
