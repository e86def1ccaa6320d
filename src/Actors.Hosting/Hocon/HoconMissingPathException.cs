namespace Actors.Hosting.Hocon;

/// <summary>A typed getter was asked for a path that has no value and no default was given.</summary>
public sealed class HoconMissingPathException : HoconException
{
    public HoconMissingPathException(string path)
        : base($"No configuration value at path '{path}'.")
    {
        Path = path;
    }

    public string Path { get; }
}
