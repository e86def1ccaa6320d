namespace Actors.Hosting.Hocon;

/// <summary>A value exists at the path but cannot be read as the requested type.</summary>
public sealed class HoconWrongTypeException : HoconException
{
    public HoconWrongTypeException(string path, string expected, HoconValue actual)
        : base($"{actual.Origin}: configuration value at path '{path}' should be {expected} but is {actual.Describe()}.")
    {
        Path = path;
        Expected = expected;
        FilePath = actual.Origin.FilePath;
        Line = actual.Origin.Line;
        Column = actual.Origin.Column;
    }

    public string Path { get; }

    public string Expected { get; }

    public string? FilePath { get; }

    public int Line { get; }

    public int Column { get; }
}
