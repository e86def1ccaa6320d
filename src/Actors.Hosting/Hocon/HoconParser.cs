using System.Text;

namespace Actors.Hosting.Hocon;

/// <summary>
/// Recursive-descent parser for one HOCON document. Substitutions are kept unresolved
/// (<see cref="HoconPending"/>) because they may refer to values defined later or in other files.
/// </summary>
internal sealed partial class HoconParser
{
    private readonly List<HoconToken> _tokens;
    private readonly string[] _includePrefix;
    private readonly HoconIncludeContext _includes;
    private int _index;

    private HoconParser(List<HoconToken> tokens, string[] includePrefix, HoconIncludeContext includes)
    {
        _tokens = tokens;
        _includePrefix = includePrefix;
        _includes = includes;
    }

    private HoconToken Current => _tokens[_index];

    /// <param name="includePrefix">Path of the object this document is included into; empty for the root file.</param>
    public static HoconObject ParseDocument(string text, string? filePath, string[] includePrefix, HoconIncludeContext includes)
    {
        var parser = new HoconParser(HoconTokenizer.Tokenize(text, filePath), includePrefix, includes);
        return parser.ParseRoot();
    }

    private static HoconParseException Expected(string what, HoconToken found) =>
        new($"expected {what} but found {found.Describe()}", found.Origin);

    private static string At(HoconToken token) => $"line {token.Origin.Line}, column {token.Origin.Column}";

    private HoconObject ParseRoot()
    {
        SkipWhitespaceAndNewlines();
        var first = Current;
        if (first.Kind == HoconTokenKind.OpenBracket)
        {
            throw Expected("an object at the root of the document", first);
        }

        if (first.Kind != HoconTokenKind.OpenBrace)
        {
            var root = new HoconObject(first.Origin);
            ParseFields(root, _includePrefix, openBrace: null);
            return root;
        }

        var braced = ParseObject(_includePrefix);
        SkipWhitespaceAndNewlines();
        if (Current.Kind != HoconTokenKind.EndOfFile)
        {
            throw Expected("end of file after the root object", Current);
        }

        return braced;
    }

    private HoconObject ParseObject(string[]? path)
    {
        var open = Current;
        Advance();
        var result = new HoconObject(open.Origin);
        ParseFields(result, path, open);
        return result;
    }

    /// <param name="path">Path of <paramref name="target"/> from the root; null inside lists.</param>
    /// <param name="openBrace">The '{' that opened the object, or null for a root without braces.</param>
    private void ParseFields(HoconObject target, string[]? path, HoconToken? openBrace)
    {
        while (true)
        {
            SkipWhitespaceAndNewlines();
            var token = Current;
            if (token.Kind == HoconTokenKind.EndOfFile)
            {
                if (openBrace is null)
                {
                    return;
                }

                throw Expected($"'}}' to close the object opened at {At(openBrace)}", token);
            }

            if (openBrace is not null && token.Kind == HoconTokenKind.CloseBrace)
            {
                Advance();
                return;
            }

            if (IsIncludeDirective())
            {
                ParseInclude(target, path);
            }
            else
            {
                ParseField(target, path);
            }

            SkipWhitespace();
            switch (Current.Kind)
            {
                case HoconTokenKind.Comma:
                    Advance();
                    break;
                case HoconTokenKind.Newline:
                case HoconTokenKind.EndOfFile:
                case HoconTokenKind.CloseBrace when openBrace is not null:
                    break;
                default:
                    throw Expected(openBrace is null ? "',' or a new line after the field" : "',', a new line or '}' after the field", Current);
            }
        }
    }

    private void ParseField(HoconObject target, string[]? objectPath)
    {
        var keyToken = Current;
        var key = ParseKey();
        string[]? fieldPath = objectPath is null ? null : [.. objectPath, .. key];
        SkipWhitespace();
        var separator = Current;
        HoconValue value;
        switch (separator.Kind)
        {
            case HoconTokenKind.OpenBrace:
                value = ParseObject(fieldPath);
                break;
            case HoconTokenKind.Equals:
            case HoconTokenKind.Colon:
                Advance();
                SkipWhitespace();
                value = ParseValue(fieldPath, $"a value after '{separator.Text}'");
                break;
            case HoconTokenKind.PlusEquals:
                Advance();
                SkipWhitespace();
                value = Append(fieldPath ?? key, ParseValue(null, "a value after '+='"), separator.Origin);
                break;
            default:
                throw Expected($"'=', ':' or '{{' after the key '{HoconPath.Format(key)}'", separator);
        }

        // a.b.c = v is shorthand for a { b { c = v } }.
        for (var i = key.Length - 1; i > 0; i--)
        {
            var wrapper = new HoconObject(keyToken.Origin);
            wrapper.Set(key[i], value);
            value = wrapper;
        }

        target.Set(key[0], HoconMerge.Assign(target.GetOrNull(key[0]), value));
    }

    private string[] ParseKey()
    {
        var first = Current;
        var end = _index;
        while (_tokens[end].Kind is HoconTokenKind.Unquoted or HoconTokenKind.QuotedString or HoconTokenKind.Whitespace)
        {
            end++;
        }

        while (end > _index && _tokens[end - 1].Kind == HoconTokenKind.Whitespace)
        {
            end--;
        }

        if (end == _index)
        {
            throw Expected("a key", first);
        }

        var segments = new List<string>();
        var segment = new StringBuilder();
        var hasSegment = false;
        var last = first;
        for (; _index < end; _index++)
        {
            last = Current;
            if (last.Kind != HoconTokenKind.Unquoted)
            {
                segment.Append(last.Text);
                hasSegment |= last.Kind == HoconTokenKind.QuotedString;
                continue;
            }

            var pieces = last.Text.Split('.');
            for (var i = 0; i < pieces.Length; i++)
            {
                if (i > 0)
                {
                    FinishSegment();
                }

                segment.Append(pieces[i]);
                hasSegment |= pieces[i].Length > 0;
            }
        }

        FinishSegment();
        return [.. segments];

        void FinishSegment()
        {
            if (!hasSegment)
            {
                throw new HoconParseException("expected a key segment but found an empty one (check for stray '.' in the key)", last.Origin);
            }

            segments.Add(segment.ToString());
            segment.Clear();
            hasSegment = false;
        }
    }

    private void Advance()
    {
        if (Current.Kind != HoconTokenKind.EndOfFile)
        {
            _index++;
        }
    }

    private HoconToken Peek(int offset) => _tokens[Math.Min(_index + offset, _tokens.Count - 1)];

    private void SkipWhitespace()
    {
        while (Current.Kind == HoconTokenKind.Whitespace)
        {
            Advance();
        }
    }

    private void SkipWhitespaceAndNewlines()
    {
        while (Current.Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline)
        {
            Advance();
        }
    }
}
