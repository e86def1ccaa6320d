namespace Actors.Hosting.Hocon;

/// <summary>Where a token or value was written. Line and column are 1-based.</summary>
public readonly record struct HoconOrigin(string? FilePath, int Line, int Column)
{
    public override string ToString() => $"{FilePath ?? "<string>"}:{Line}:{Column}";
}
