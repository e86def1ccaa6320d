using Microsoft.Extensions.Configuration;

namespace Actors.Hosting.Hocon;

public static class HoconConfigurationExtensions
{
    /// <summary>
    /// Adds a HOCON file. Keys are flattened with ':' (<c>bank.journal.provider</c> becomes
    /// <c>bank:journal:provider</c>), so sources added afterwards, such as environment variables, override it.
    /// </summary>
    public static IConfigurationBuilder AddHoconFile(this IConfigurationBuilder builder, string path, bool optional = false) =>
        builder.AddHoconFile(path, optional, reloadOnChange: false);

    public static IConfigurationBuilder AddHoconFile(this IConfigurationBuilder builder, string path, bool optional, bool reloadOnChange)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return builder.AddHoconFile(source =>
        {
            source.Path = path;
            source.Optional = optional;
            source.ReloadOnChange = reloadOnChange;
            source.ResolveFileProvider();
        });
    }

    public static IConfigurationBuilder AddHoconFile(this IConfigurationBuilder builder, Action<HoconConfigurationSource> configureSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(configureSource);
    }
}
