using System.Globalization;
using System.Text.Json;

namespace Bank.Domain.Tests;

/// <summary>Amounts and balances leave the system with exactly two decimals, whatever scale they were computed with.</summary>
public sealed class MoneySpecs
{
    public static TheoryData<decimal, string> AmountsAndTheirCanonicalText => new()
    {
        { 100m, "100.00" },
        { 100.5m, "100.50" },
        { 100.50m, "100.50" },
        { 100.01000000000000000000000000m, "100.01" },
        { 0.01m, "0.01" },
        { 0m, "0.00" },
        { 0.000m, "0.00" },
        { -12.3m, "-12.30" },
        { AccountRules.MaxAmount, "1000000000000.00" },
    };

    [Theory]
    [MemberData(nameof(AmountsAndTheirCanonicalText))]
    public void An_amount_leaves_with_its_value_and_two_decimal_places(decimal amount, string text)
    {
        var canonical = Money.Canonical(amount);

        Assert.Equal(amount, canonical);
        Assert.Equal(2, canonical.Scale);
        Assert.Equal(text, JsonSerializer.Serialize(canonical));
        Assert.Equal(text, canonical.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_balance_computed_by_adding_and_subtracting_amounts_of_other_scales_leaves_with_two_decimals()
    {
        var balance = 100m + 0.5m - 0.50m + 19.990m;

        Assert.Equal("119.99", Money.Canonical(balance).ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("100.001")]
    [InlineData("0.005")]
    [InlineData("-1.999")]
    [InlineData("0.0000000000000000000000000001")]
    public void An_amount_with_more_than_two_decimals_by_value_is_refused_rather_than_rounded(string amount) =>
        Assert.Throws<ArgumentException>(() => Money.Canonical(AccountSpec.Dec(amount)));

    [Fact]
    public void An_amount_too_large_to_carry_two_decimals_is_refused() =>
        Assert.Throws<ArgumentException>(() => Money.Canonical(decimal.MaxValue));
}
