using Actors.Hosting.Hocon;

namespace Actors.Hosting.Tests.Hocon;

public sealed class HoconUnitParsingTests
{
    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData(" 100 ms ", 100)]
    [InlineData("2m", 120_000)]
    [InlineData("00:00:05", 5_000)]
    [InlineData("01:30:00", 5_400_000)]
    [InlineData("1.00:00:00", 86_400_000)]
    [InlineData("42", 42)]
    public void HoconDurations_accepts_hocon_and_TimeSpan_forms(string text, long expectedMilliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), HoconDurations.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5 fortnights")]
    public void HoconDurations_rejects_text_that_is_not_a_duration(string text)
    {
        Assert.False(HoconDurations.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => HoconDurations.Parse(text));
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1k", 1_024)]
    [InlineData("1 kB", 1_000)]
    [InlineData("1.5 KiB", 1_536)]
    [InlineData("3 bytes", 3)]
    [InlineData("1TiB", 1_099_511_627_776)]
    public void HoconSizes_accepts_decimal_and_binary_units(string text, long expectedBytes)
    {
        Assert.Equal(expectedBytes, HoconSizes.Parse(text));
    }

    [Theory]
    [InlineData("-1KB")]
    [InlineData("lots")]
    [InlineData("10 parsecs")]
    public void HoconSizes_rejects_text_that_is_not_a_size(string text)
    {
        Assert.False(HoconSizes.TryParse(text, out _));
        Assert.Throws<FormatException>(() => HoconSizes.Parse(text));
    }
}
