using Akka.Configuration;

namespace Actors.Journal.Snapshots;

/// <summary>The snapshot store's settings, read from its HOCON section (with the assembly's reference.conf as fallback).</summary>
public sealed record SnapshotSettings
{
    public required JournalProvider Provider { get; init; }
    public required string ConnectionString { get; init; }
    public bool AutoInitialize { get; init; } = true;
    public string? DefaultSerializer { get; init; }
    public int SqliteIdleReaders { get; init; } = 8;
    public TimeSpan SqliteBusyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static SnapshotSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config = config.WithFallback(FastSqlSnapshotStore.ReferenceSection);
        var connectionString = config.GetString("connection-string", "");
        if (string.IsNullOrWhiteSpace(connectionString)) throw new ConfigurationException("The fast-sql snapshot store needs a connection-string.");
        var serializer = config.GetString("serializer", null);
        var settings = new SnapshotSettings
        {
            // The journal's provider names, with the same aliases.
            Provider = JournalSettings.ParseProvider(config.GetString("provider", "sqlite")),
            ConnectionString = connectionString,
            AutoInitialize = config.GetBoolean("auto-initialize", true),
            DefaultSerializer = string.IsNullOrWhiteSpace(serializer) || serializer == "null" ? null : serializer,
            SqliteIdleReaders = config.GetInt("sqlite.idle-readers", 8),
            SqliteBusyTimeout = config.GetTimeSpan("sqlite.busy-timeout", TimeSpan.FromSeconds(30)),
        };
        if (settings.SqliteIdleReaders < 0) throw new ConfigurationException("sqlite.idle-readers must be 0 or more.");
        return settings;
    }
}
