namespace Actors.Hosting.Hocon;

/// <summary>A node of a parsed HOCON tree: <see cref="HoconObject"/>, <see cref="HoconList"/> or <see cref="HoconScalar"/>.</summary>
public abstract class HoconValue
{
    private protected HoconValue(HoconOrigin origin)
    {
        Origin = origin;
    }

    public HoconOrigin Origin { get; }

    internal abstract string Describe();
}
