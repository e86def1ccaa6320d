using System.Globalization;

namespace Actors.Hosting.Hocon;

/// <summary>Splits values such as <c>5s</c>, <c>2 minutes</c> or <c>64 KiB</c> into amount and unit.</summary>
internal static class HoconUnitNumber
{
    public static bool TrySplit(string text, out decimal amount, out string unit)
    {
        amount = 0;
        unit = string.Empty;
        var end = 0;
        if (end < text.Length && text[end] is '-' or '+')
        {
            end++;
        }

        var digitsStart = end;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }

        if (end == digitsStart
            || !decimal.TryParse(text.AsSpan(0, end), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount))
        {
            return false;
        }

        unit = text[end..].Trim();
        return true;
    }
}
