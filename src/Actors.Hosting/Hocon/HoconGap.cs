namespace Actors.Hosting.Hocon;

/// <summary>Whitespace between two parts of a value concatenation, e.g. the space in <c>foo bar</c>.</summary>
internal sealed class HoconGap(string text, HoconOrigin origin) : HoconValue(origin)
{
    public string Text { get; } = text;

    internal override string Describe() => "whitespace";
}
