namespace Actors.Hosting.Hocon;

internal enum HoconTokenKind
{
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,
    Comma,
    Equals,
    Colon,
    PlusEquals,
    Newline,
    Whitespace,
    Unquoted,
    QuotedString,
    Substitution,
    EndOfFile,
}
