using System.Text;

namespace Actors.Hosting.Hocon;

/// <summary>Turns HOCON text into tokens with 1-based line and column positions. Comments are dropped.</summary>
internal sealed class HoconTokenizer
{
    // Characters that end an unquoted string because they have a meaning of their own.
    private const string Delimiters = "$\"{}[]:=,+#";

    // Characters the spec reserves; they may only appear inside quoted strings.
    private const string Reserved = "`^?!@*&\\";

    private readonly string _text;
    private readonly string? _filePath;
    private readonly List<HoconToken> _tokens = [];
    private int _position;
    private int _line = 1;
    private int _column = 1;

    private HoconTokenizer(string text, string? filePath)
    {
        _text = text;
        _filePath = filePath;
    }

    private HoconOrigin Here => new(_filePath, _line, _column);

    private bool AtEnd => _position >= _text.Length;

    private char Current => _text[_position];

    public static List<HoconToken> Tokenize(string text, string? filePath)
    {
        var tokenizer = new HoconTokenizer(text, filePath);
        tokenizer.Run();
        return tokenizer._tokens;
    }

    private static bool IsWhitespace(char c) => c != '\n' && (char.IsWhiteSpace(c) || c == '\uFEFF');

    private void Run()
    {
        if (!AtEnd && Current == '\uFEFF')
        {
            _position++; // a byte order mark is not content and does not count as a column
        }

        while (!AtEnd)
        {
            ReadToken();
        }

        _tokens.Add(new HoconToken(HoconTokenKind.EndOfFile, string.Empty, Here));
    }

    private void ReadToken()
    {
        var origin = Here;
        switch (Current)
        {
            case '\n': Punctuation(HoconTokenKind.Newline, origin); return;
            case '{': Punctuation(HoconTokenKind.OpenBrace, origin); return;
            case '}': Punctuation(HoconTokenKind.CloseBrace, origin); return;
            case '[': Punctuation(HoconTokenKind.OpenBracket, origin); return;
            case ']': Punctuation(HoconTokenKind.CloseBracket, origin); return;
            case ',': Punctuation(HoconTokenKind.Comma, origin); return;
            case '=': Punctuation(HoconTokenKind.Equals, origin); return;
            case ':': Punctuation(HoconTokenKind.Colon, origin); return;
            case '#': SkipComment(); return;
            case '/' when PeekAt(1) == '/': SkipComment(); return;
            case '"' when PeekAt(1) == '"' && PeekAt(2) == '"': ReadTripleQuoted(origin); return;
            case '"': ReadQuoted(origin); return;
            case '$': ReadSubstitution(origin); return;
            case '+' when PeekAt(1) == '=':
                Advance();
                Advance();
                _tokens.Add(new HoconToken(HoconTokenKind.PlusEquals, "+=", origin));
                return;
            case '+':
                throw new HoconParseException("expected '+=' but found a lone '+' (quote strings that contain '+')", origin);
        }

        if (IsWhitespace(Current))
        {
            ReadWhitespace(origin);
        }
        else if (Reserved.Contains(Current, StringComparison.Ordinal))
        {
            throw new HoconParseException($"expected a value but found the reserved character '{Current}' (it is only allowed inside quotes)", origin);
        }
        else
        {
            ReadUnquoted(origin);
        }
    }

    private void Punctuation(HoconTokenKind kind, HoconOrigin origin)
    {
        var text = Current.ToString();
        Advance();
        _tokens.Add(new HoconToken(kind, text, origin));
    }

    private void ReadUnquoted(HoconOrigin origin)
    {
        var start = _position;
        while (!AtEnd
            && !IsWhitespace(Current)
            && Current != '\n'
            && !Delimiters.Contains(Current, StringComparison.Ordinal)
            && !Reserved.Contains(Current, StringComparison.Ordinal)
            && !(Current == '/' && PeekAt(1) == '/'))
        {
            Advance();
        }

        _tokens.Add(new HoconToken(HoconTokenKind.Unquoted, _text[start.._position], origin));
    }

    private void ReadWhitespace(HoconOrigin origin)
    {
        var start = _position;
        while (!AtEnd && IsWhitespace(Current))
        {
            Advance();
        }

        _tokens.Add(new HoconToken(HoconTokenKind.Whitespace, _text[start.._position], origin));
    }

    private void ReadQuoted(HoconOrigin origin)
    {
        Advance();
        var value = new StringBuilder();
        while (true)
        {
            if (AtEnd || Current == '\n')
            {
                throw new HoconParseException(
                    $"expected a closing '\"' for the string started at line {origin.Line}, column {origin.Column} but found {(AtEnd ? "end of file" : "end of line")} (use \"\"\" for multi-line strings)",
                    Here);
            }

            if (Current == '"')
            {
                Advance();
                break;
            }

            if (Current != '\\')
            {
                value.Append(Current);
                Advance();
                continue;
            }

            if (!HoconEscapes.TryDecode(_text, _position, out var decoded, out var length))
            {
                throw new HoconParseException($"expected an escape sequence ({HoconEscapes.Expected})", Here);
            }

            value.Append(decoded);
            for (var i = 0; i < length; i++)
            {
                Advance();
            }
        }

        _tokens.Add(new HoconToken(HoconTokenKind.QuotedString, value.ToString(), origin));
    }

    private void ReadTripleQuoted(HoconOrigin origin)
    {
        var contentStart = _position + 3;
        var close = _text.IndexOf("\"\"\"", contentStart, StringComparison.Ordinal);
        if (close < 0)
        {
            while (!AtEnd)
            {
                Advance();
            }

            throw new HoconParseException(
                $"expected a closing '\"\"\"' for the string started at line {origin.Line}, column {origin.Column} but found end of file",
                Here);
        }

        // Per the spec, quotes beyond the closing three belong to the content: """a"""" is a".
        while (close + 3 < _text.Length && _text[close + 3] == '"')
        {
            close++;
        }

        var content = _text[contentStart..close];
        while (_position < close + 3)
        {
            Advance();
        }

        _tokens.Add(new HoconToken(HoconTokenKind.QuotedString, content, origin));
    }

    private void ReadSubstitution(HoconOrigin origin)
    {
        if (PeekAt(1) != '{')
        {
            throw new HoconParseException("expected '{' after '$' (substitutions are written ${path}; quote a literal '$')", origin);
        }

        Advance();
        Advance();
        var optional = false;
        if (!AtEnd && Current == '?')
        {
            optional = true;
            Advance();
        }

        var start = _position;
        var inQuotes = false;
        while (true)
        {
            if (AtEnd || Current == '\n')
            {
                throw new HoconParseException($"expected '}}' to close the substitution started at line {origin.Line}, column {origin.Column}", Here);
            }

            if (inQuotes && Current == '\\')
            {
                Advance();
                if (!AtEnd && Current != '\n')
                {
                    Advance();
                }

                continue;
            }

            if (Current == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (Current == '}' && !inQuotes)
            {
                break;
            }

            Advance();
        }

        var path = _text[start.._position].Trim();
        Advance();
        if (path.Length == 0)
        {
            throw new HoconParseException("expected a path inside the substitution ${}", origin);
        }

        _tokens.Add(new HoconToken(HoconTokenKind.Substitution, path, origin, optional));
    }

    private void SkipComment()
    {
        while (!AtEnd && Current != '\n')
        {
            Advance();
        }
    }

    private char PeekAt(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private void Advance()
    {
        if (Current == '\n')
        {
            _line++;
            _column = 1;
        }
        else
        {
            _column++;
        }

        _position++;
    }
}
