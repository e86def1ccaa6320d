namespace Actors.Hosting.Hocon;

/// <summary>Base type for every error raised while reading HOCON configuration.</summary>
public class HoconException : Exception
{
    public HoconException(string message)
        : base(message)
    {
    }

    public HoconException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
