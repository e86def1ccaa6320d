namespace Actors.Hosting.Hocon;

/// <param name="Text">Decoded content for strings, the raw path for substitutions, the source text otherwise.</param>
internal sealed record HoconToken(HoconTokenKind Kind, string Text, HoconOrigin Origin, bool IsOptional = false)
{
    public string Describe() => Kind switch
    {
        HoconTokenKind.EndOfFile => "end of file",
        HoconTokenKind.Newline => "end of line",
        HoconTokenKind.Whitespace => "whitespace",
        HoconTokenKind.QuotedString => $"quoted string \"{Text}\"",
        HoconTokenKind.Substitution => IsOptional ? $"substitution ${{?{Text}}}" : $"substitution ${{{Text}}}",
        _ => $"'{Text}'",
    };
}
