namespace Actors.Hosting.Hocon;

/// <summary>A HOCON document is malformed, or one of its includes cannot be honoured.</summary>
public sealed class HoconParseException : HoconException
{
    public HoconParseException(string detail, HoconOrigin origin)
        : base($"{origin}: {detail}")
    {
        Detail = detail;
        FilePath = origin.FilePath;
        Line = origin.Line;
        Column = origin.Column;
    }

    /// <summary>What was expected and what was found, without the location prefix.</summary>
    public string Detail { get; }

    public string? FilePath { get; }

    public int Line { get; }

    public int Column { get; }
}
