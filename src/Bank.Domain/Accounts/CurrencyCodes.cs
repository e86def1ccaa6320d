namespace Bank.Domain;

/// <summary>
/// One shared string per well-known currency code. An account's currency comes from a deserialized event, a new
/// "EUR" per account; the state keeps the shared literal instead, so many idle accounts cost one string, and a
/// remembered open command can name its currency by a small index (see <see cref="ProcessedCommand"/>). A static
/// readonly table of interned literals, never written: no lock, Evolve stays pure.
/// </summary>
internal static class CurrencyCodes
{
    // Append only: the index of a code must not change while the process runs (it is never stored).
    private static readonly string[] Known =
    [
        "EUR", "USD", "GBP", "CHF", "JPY", "CNY", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN",
        "CZK", "HUF", "RON", "BGN", "ISK", "TRY", "INR", "BRL", "MXN", "ZAR", "SGD", "HKD", "KRW",
    ];

    /// <summary>The position of <paramref name="code"/> in the table of well-known codes, or -1.</summary>
    public static int IndexOf(string code)
    {
        if (code.Length != 3) return -1;
        for (var index = 0; index < Known.Length; index++)
        {
            if (string.Equals(Known[index], code, StringComparison.Ordinal)) return index;
        }
        return -1;
    }

    /// <summary>The well-known code at <paramref name="index"/> (from <see cref="IndexOf"/>).</summary>
    public static string At(int index) => Known[index];

    /// <summary>The shared string equal to <paramref name="code"/> when it is a well-known code, else <paramref name="code"/> itself.</summary>
    public static string Canonical(string code) => IndexOf(code) is var index and >= 0 ? Known[index] : code;
}
