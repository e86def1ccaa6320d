using System.Globalization;

namespace Bank.Domain;

/// <summary>Culture-independent decimal formatting.</summary>
internal static class DecimalText
{
    private const string MoneyDigits = "#,##0.00##########################";

    /// <summary>Enough for any decimal in its general format: 29 digits, a sign and a decimal point.</summary>
    public const int MaxNormalizedLength = 32;

    /// <summary>The value without trailing zeros, so 100.5m and 100.50m give "100.5"; never exponent notation.</summary>
    public static string Normalized(decimal value)
    {
        Span<char> text = stackalloc char[MaxNormalizedLength];
        return new string(text[..WriteNormalized(value, text)]);
    }

    /// <summary>
    /// Writes <see cref="Normalized(decimal)"/> into <paramref name="destination"/> (at least
    /// <see cref="MaxNormalizedLength"/> chars) and returns its length. The general format of a decimal is fixed-point
    /// with all the digits of its scale ("100.50"), so trimming the zeros after the point gives the same text as the
    /// custom format "0.####…" (28 #), at a fraction of its cost: Evolve formats one per replayed event.
    /// </summary>
    public static int WriteNormalized(decimal value, Span<char> destination)
    {
        if (value == 0m)
        {
            destination[0] = '0';   // also -0 and 0.00
            return 1;
        }
        if (!value.TryFormat(destination, out var length, "G", CultureInfo.InvariantCulture))
            throw new ArgumentException("The destination is too short for a decimal.", nameof(destination));
        if (destination[..length].IndexOf('.') < 0) return length;
        while (destination[length - 1] == '0') length--;
        if (destination[length - 1] == '.') length--;
        return length;
    }

    /// <summary>For human sentences: at least two decimals, thousands separated, e.g. "1,000.50" or "1.001".</summary>
    public static string Money(decimal value) => value.ToString(MoneyDigits, CultureInfo.InvariantCulture);
}
