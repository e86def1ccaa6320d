using System.Globalization;

namespace Bank.Domain.Tests;

/// <summary>
/// Fingerprints are stored in snapshots (the idempotency window) and compared with those of new commands, so their
/// text must never change: an amount is written with every significant digit and no trailing zeros, fixed-point.
/// </summary>
public sealed class CommandFingerprintSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static string DepositFingerprint(decimal amount) => CommandFingerprint.Of(new Deposit("a", amount, Guid.NewGuid(), Now));

    public static TheoryData<decimal, string> AmountsAndTheirText => new()
    {
        { 1m, "1" },
        { 100m, "100" },
        { 1000000m, "1000000" },
        { 100.5m, "100.5" },
        { 100.50m, "100.5" },
        { 100.500000m, "100.5" },
        { 0.01m, "0.01" },
        { 0.10m, "0.1" },
        { 20.00m, "20" },
        { 1000000000000.00m, "1000000000000" },
        { 0.0000000000000000000000000001m, "0.0000000000000000000000000001" },
        { 1.0000000000000000000000000000m, "1" },
        { 7922816251426433759354395033.5m, "7922816251426433759354395033.5" },
        { -12.340m, "-12.34" },
        { -0.5m, "-0.5" },
        { decimal.MaxValue, "79228162514264337593543950335" },
        { decimal.MinValue, "-79228162514264337593543950335" },
        { 123456789.987654321m, "123456789.987654321" },
    };

    [Theory]
    [MemberData(nameof(AmountsAndTheirText))]
    public void Every_kind_of_command_writes_its_amount_the_same_way(decimal amount, string text)
    {
        Assert.Equal("deposit:" + text, DepositFingerprint(amount));
        Assert.Equal("withdraw:" + text, CommandFingerprint.Of(new Withdraw("a", amount, Guid.NewGuid(), Now)));
        Assert.Equal($"open:EUR:{text}:Ada", CommandFingerprint.Of(new OpenAccount("a", " Ada ", "EUR", amount, Guid.NewGuid(), Now)));
    }

    [Fact]
    public void Zero_in_any_scale_or_sign_is_plain_zero()
    {
        foreach (var zero in new[] { 0m, 0.00m, -0m, -0.000m, new decimal(0, 0, 0, isNegative: true, scale: 5) })
            Assert.Equal("deposit:0", DepositFingerprint(zero));
    }

    [Fact]
    public void Random_amounts_of_every_scale_are_written_as_their_exact_value_without_trailing_zeros()
    {
        var random = new Random(20261205);
        for (var i = 0; i < 20_000; i++)
        {
            var amount = new decimal(random.Next(), random.Next(), random.Next(), random.Next(2) == 0, (byte)random.Next(29));

            var text = DepositFingerprint(amount)["deposit:".Length..];

            Assert.Matches(@"^-?[0-9]+(\.[0-9]*[1-9])?$", text);   // fixed-point, invariant '.', no trailing zero
            Assert.Equal(amount, decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture));
        }
    }
}
