using System.Globalization;

namespace Bank.Domain.Tests;

/// <summary>
/// Fingerprints are stored in snapshots (the idempotency window) and compared with those of new commands, so their
/// text must never change: these pin it to the custom format the domain used first ("0.", then 28 optional digits).
/// </summary>
public sealed class CommandFingerprintSpecs
{
    private const string OriginalFormat = "0.############################";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static string Original(decimal value) => value == 0m ? "0" : value.ToString(OriginalFormat, CultureInfo.InvariantCulture);

    public static TheoryData<decimal> Amounts => new()
    {
        1m, 10m, 100m, 1000000m, 100.5m, 100.50m, 100.500000m, 0.01m, 0.10m, 0.1m, 20m, 20.00m, 1000000000000.00m,
        0.0000000000000000000000000001m, 1.0000000000000000000000000000m,
        7922816251426433759354395033.5m, -12.340m, -0.5m, decimal.MaxValue, decimal.MinValue, 123456789.987654321m,
    };

    [Theory]
    [MemberData(nameof(Amounts))]
    public void A_deposit_or_withdrawal_fingerprint_keeps_its_original_text(decimal amount)
    {
        Assert.Equal("deposit:" + Original(amount), CommandFingerprint.Of(new Deposit("a", amount, Guid.NewGuid(), Now)));
        Assert.Equal("withdraw:" + Original(amount), CommandFingerprint.Of(new Withdraw("a", amount, Guid.NewGuid(), Now)));
        Assert.Equal($"open:EUR:{Original(amount)}:Ada", CommandFingerprint.Of(new OpenAccount("a", " Ada ", "EUR", amount, Guid.NewGuid(), Now)));
    }

    [Fact]
    public void Zero_in_any_scale_or_sign_is_plain_zero()
    {
        foreach (var zero in new[] { 0m, 0.00m, -0m, -0.000m, new decimal(0, 0, 0, isNegative: true, scale: 5) })
            Assert.Equal("deposit:0", CommandFingerprint.Of(new Deposit("a", zero, Guid.NewGuid(), Now)));
    }

    [Fact]
    public void Random_amounts_of_every_scale_keep_their_original_text()
    {
        var random = new Random(20261205);
        for (var i = 0; i < 20_000; i++)
        {
            var amount = new decimal(random.Next(), random.Next(), random.Next(), random.Next(2) == 0, (byte)random.Next(29));
            Assert.Equal("deposit:" + Original(amount), CommandFingerprint.Of(new Deposit("a", amount, Guid.NewGuid(), Now)));
        }
    }
}
