using System.Text.RegularExpressions;

namespace Actors.Hosting.Hocon;

/// <summary>A string, number, boolean or null. <see cref="Text"/> keeps the value exactly as written.</summary>
public sealed partial class HoconScalar : HoconValue
{
    internal HoconScalar(string text, HoconScalarKind kind, HoconOrigin origin)
        : base(origin)
    {
        Text = text;
        Kind = kind;
    }

    public string Text { get; }

    public HoconScalarKind Kind { get; }

    public override string ToString() => Text;

    internal override string Describe() => Kind == HoconScalarKind.Null ? "null" : $"'{Text}'";

    internal static HoconScalar FromUnquoted(string text, HoconOrigin origin) => new(text, Classify(text), origin);

    private static HoconScalarKind Classify(string text) => text switch
    {
        "true" or "false" => HoconScalarKind.Boolean,
        "null" => HoconScalarKind.Null,
        _ when NumberPattern().IsMatch(text) => HoconScalarKind.Number,
        _ => HoconScalarKind.String,
    };

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE]-?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
