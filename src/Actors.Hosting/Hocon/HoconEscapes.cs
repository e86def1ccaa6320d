using System.Globalization;

namespace Actors.Hosting.Hocon;

/// <summary>JSON-style escape sequences, shared by quoted strings and quoted path segments.</summary>
internal static class HoconEscapes
{
    public const string Expected = "\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX";

    /// <param name="length">Characters consumed including the backslash.</param>
    public static bool TryDecode(string text, int backslashIndex, out char value, out int length)
    {
        value = '\0';
        length = 2;
        if (backslashIndex + 1 >= text.Length)
        {
            return false;
        }

        switch (text[backslashIndex + 1])
        {
            case '"': value = '"'; return true;
            case '\\': value = '\\'; return true;
            case '/': value = '/'; return true;
            case 'b': value = '\b'; return true;
            case 'f': value = '\f'; return true;
            case 'n': value = '\n'; return true;
            case 'r': value = '\r'; return true;
            case 't': value = '\t'; return true;
            case 'u':
                length = 6;
                if (backslashIndex + 6 > text.Length
                    || !ushort.TryParse(text.AsSpan(backslashIndex + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                {
                    return false;
                }

                value = (char)code;
                return true;
            default:
                return false;
        }
    }
}
