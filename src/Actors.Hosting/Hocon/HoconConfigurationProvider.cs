using Microsoft.Extensions.Configuration;

namespace Actors.Hosting.Hocon;

/// <summary>
/// Loads a HOCON file into flat IConfiguration keys. Durations and sizes keep their written form
/// (<c>5s</c>); read them with <see cref="HoconDurations"/> and <see cref="HoconSizes"/>.
/// </summary>
public sealed class HoconConfigurationProvider(HoconConfigurationSource source) : FileConfigurationProvider(source)
{
    public override void Load(Stream stream)
    {
        // Includes are resolved relative to the real file, which only a physical file provider can tell.
        var physicalPath = Source.Path is null ? null : Source.FileProvider?.GetFileInfo(Source.Path).PhysicalPath;
        using var reader = new StreamReader(stream);
        var config = HoconConfig.Parse(reader.ReadToEnd(), physicalPath ?? Source.Path);
        Data = HoconFlattener.Flatten(config.Root);
    }
}
