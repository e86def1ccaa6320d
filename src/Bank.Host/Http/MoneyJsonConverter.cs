using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bank.Domain;

namespace Bank.Host.Http;

/// <summary>
/// Money in the API's JSON. Read from the number's text, not from a parsed decimal, because decimal parsing rounds
/// silently (100.0000000000000000000000000001 would become 100): an exponent, more than two decimals (trailing zeros
/// aside) and out-of-range values are refused with a reason. Written in the canonical scale of two decimals
/// (100.00, never 100.01000000000000000000000000).
/// </summary>
public sealed class MoneyJsonConverter : JsonConverter<decimal>
{
    /// <summary>More integer digits than this cannot be a decimal at all; the domain refuses anything above its maximum.</summary>
    private const int MaxIntegerDigits = 28;

    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number) throw new JsonException($"The value could not be converted to {typeof(decimal).FullName}.");
        var text = reader.HasValueSequence ? Encoding.ASCII.GetString(reader.ValueSequence) : Encoding.ASCII.GetString(reader.ValueSpan);
        if (text.AsSpan().IndexOfAny('e', 'E') >= 0)
            throw new MoneyFormatException($"The amount {text} is written with an exponent; write it as a plain decimal number with at most {AccountRules.MaxDecimals} decimals, such as 1500.25.");

        var unsigned = text.TrimStart('-');
        var point = unsigned.IndexOf('.');
        var integerDigits = (point < 0 ? unsigned : unsigned[..point]).TrimStart('0').Length;
        var decimals = point < 0 ? 0 : unsigned[(point + 1)..].TrimEnd('0').Length;
        if (decimals > AccountRules.MaxDecimals)
            throw new MoneyFormatException($"The amount {text} has more than {AccountRules.MaxDecimals} decimal places.");
        if (integerDigits > MaxIntegerDigits)
            throw new MoneyFormatException($"The amount {text} is out of range; the maximum is {AccountRules.MaxAmount.ToString("#,##0.00", CultureInfo.InvariantCulture)}.");
        return decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(Money.Canonical(value));
}

/// <summary>An amount in a request that is not an acceptable amount of money; <see cref="Reason"/> says why.</summary>
public sealed class MoneyFormatException(string reason) : JsonException(reason)
{
    public string Reason { get; } = reason;
}
