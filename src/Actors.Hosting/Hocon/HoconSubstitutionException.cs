namespace Actors.Hosting.Hocon;

/// <summary>A <c>${path}</c> substitution could not be resolved, or substitutions form a cycle.</summary>
public sealed class HoconSubstitutionException : HoconException
{
    public HoconSubstitutionException(string path, HoconOrigin origin, string detail)
        : base($"{origin}: {detail}")
    {
        Path = path;
        FilePath = origin.FilePath;
        Line = origin.Line;
        Column = origin.Column;
    }

    /// <summary>The substitution path as written, e.g. <c>bank.port</c>.</summary>
    public string Path { get; }

    public string? FilePath { get; }

    public int Line { get; }

    public int Column { get; }
}
