using Microsoft.Extensions.Configuration;

namespace Actors.Hosting.Hocon;

/// <summary>A HOCON file as an <see cref="IConfigurationSource"/>.</summary>
public sealed class HoconConfigurationSource : FileConfigurationSource
{
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new HoconConfigurationProvider(this);
    }
}
