using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Actors.Hosting.Hocon;

/// <summary>Splits and formats dotted paths such as <c>bank.journal."file.name"</c>.</summary>
internal static class HoconPath
{
    public static string[] Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return TryParse(path, out var segments, out var error)
            ? segments
            : throw new ArgumentException($"'{path}' is not a valid HOCON path: {error}.", nameof(path));
    }

    public static bool TryParse(
        string text,
        [NotNullWhen(true)] out string[]? segments,
        [NotNullWhen(false)] out string? error)
    {
        segments = null;
        error = null;
        var trimmed = text.Trim();
        var result = new List<string>();
        var segment = new StringBuilder();
        var hasSegment = false;
        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            if (c == '.')
            {
                if (!hasSegment)
                {
                    error = "empty path segment";
                    return false;
                }

                result.Add(segment.ToString());
                segment.Clear();
                hasSegment = false;
                continue;
            }

            hasSegment = true;
            if (c != '"')
            {
                segment.Append(c);
                continue;
            }

            for (i++; ; i++)
            {
                if (i >= trimmed.Length)
                {
                    error = "unterminated quoted segment";
                    return false;
                }

                if (trimmed[i] == '"')
                {
                    break;
                }

                if (trimmed[i] != '\\')
                {
                    segment.Append(trimmed[i]);
                    continue;
                }

                if (!HoconEscapes.TryDecode(trimmed, i, out var decoded, out var length))
                {
                    error = "invalid escape sequence";
                    return false;
                }

                segment.Append(decoded);
                i += length - 1;
            }
        }

        if (!hasSegment)
        {
            error = trimmed.Length == 0 ? "empty path" : "empty path segment";
            return false;
        }

        result.Add(segment.ToString());
        segments = [.. result];
        return true;
    }

    public static string Format(IEnumerable<string> segments) =>
        string.Join('.', segments.Select(s => s.Length > 0 && s.All(IsPlain) ? s : Quote(s)));

    private static bool IsPlain(char c) => char.IsLetterOrDigit(c) || c is '-' or '_';

    private static string Quote(string segment) =>
        $"\"{segment.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
}
