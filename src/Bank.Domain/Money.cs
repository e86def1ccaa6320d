namespace Bank.Domain;

/// <summary>How amounts and balances leave the system.</summary>
public static class Money
{
    /// <summary>The number of decimal places every amount leaving the system carries.</summary>
    private const int Decimals = 2;

    /// <summary>
    /// <paramref name="amount"/> with exactly two decimal places of scale: 100m gives 100.00m, 100.5m gives 100.50m,
    /// 100.0100m gives 100.01m. A decimal keeps the scale it was written or computed with, and that scale shows
    /// when it is serialized ("100", "100.5", "100.0100"); this gives every amount the same shape.
    /// Throws <see cref="ArgumentException"/> for an amount with more than two decimals by value (it would have to
    /// be rounded, and money is never rounded silently) or too large to carry two decimal places.
    /// </summary>
    public static decimal Canonical(decimal amount)
    {
        if (decimal.Round(amount, Decimals) != amount)
            throw new ArgumentException($"The amount {amount} has more than {Decimals} decimal places.", nameof(amount));

        // Multiplying by 1.00m adds two to the scale without changing the value; rounding to two places then drops
        // the decimals beyond two, which are all zeros.
        var canonical = decimal.Round(amount * 1.00m, Decimals);
        if (canonical.Scale != Decimals)
            throw new ArgumentException($"The amount {amount} is too large to carry {Decimals} decimal places.", nameof(amount));
        return canonical;
    }
}
