using Akka.Configuration;

namespace Actors.Journal.Query;

/// <summary>The database a <see cref="FastSqlReadJournal"/> reads.</summary>
public enum FastSqlProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Settings of a <see cref="FastSqlReadJournal"/> (HOCON: <c>akka.persistence.query.journal.fast-sql</c>).</summary>
public sealed record FastSqlReadJournalSettings
{
    public required FastSqlProvider Provider { get; init; }

    public required string ConnectionString { get; init; }

    /// <summary>The journal plugin whose event adapters are applied (null: none).</summary>
    public string? WritePlugin { get; init; }

    /// <summary>PostgreSQL schema (null: search_path).</summary>
    public string? SchemaName { get; init; }

    public string JournalTable { get; init; } = "journal";

    public string TagsTable { get; init; } = "tags";

    public int PageSize { get; init; } = 1000;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A live query woken by a write reads no sooner than this after its previous read, so that at many commits per
    /// second one read takes the rows of several commits. Zero: it reads at every wake-up.
    /// </summary>
    public TimeSpan MinReadInterval { get; init; } = TimeSpan.Zero;

    public bool ListenForNotifications { get; init; } = true;

    public bool CreateTriggers { get; init; } = true;

    /// <summary>Create the index tags(tag, ordering_id) if missing, for by-tag pages that touch only their tag's rows.</summary>
    public bool CreateTagIndex { get; init; } = true;

    public int OrderingScanSize { get; init; } = 10_000;

    public TimeSpan ListenerReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ListenerMaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Reads the plugin's section (with the reference config as fallback). Empty <c>provider</c> or
    /// <c>connection-string</c> are taken from the <c>write-plugin</c>'s section of <paramref name="root"/>.
    /// </summary>
    public static FastSqlReadJournalSettings Create(Config config, Config? root = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config = config.WithFallback(FastSqlReadJournal.DefaultConfiguration);
        var writePlugin = NullIfEmpty(config.GetString("write-plugin", ""));
        var provider = NullIfEmpty(config.GetString("provider", ""));
        var connectionString = NullIfEmpty(config.GetString("connection-string", ""));
        if (writePlugin is not null && root is not null && root.HasPath(writePlugin))
        {
            var plugin = root.GetConfig(writePlugin);
            provider ??= NullIfEmpty(plugin.GetString("provider-name", ""));
            connectionString ??= NullIfEmpty(plugin.GetString("connection-string", ""));
        }
        var settings = new FastSqlReadJournalSettings
        {
            Provider = ParseProvider(provider ?? throw new ConfigurationException(
                "fast-sql read journal: set 'provider' (sqlite | postgres) or a 'write-plugin' that has a provider-name.")),
            ConnectionString = connectionString ?? throw new ConfigurationException(
                "fast-sql read journal: set 'connection-string' or a 'write-plugin' that has one."),
            WritePlugin = writePlugin,
            SchemaName = NullIfEmpty(config.GetString("schema-name", "")),
            JournalTable = config.GetString("journal-table", "journal"),
            TagsTable = config.GetString("tags-table", "tags"),
            PageSize = config.GetInt("page-size", 1000),
            PollInterval = config.GetTimeSpan("poll-interval", TimeSpan.FromSeconds(1)),
            MinReadInterval = config.GetTimeSpan("min-read-interval", TimeSpan.Zero),
            ListenForNotifications = config.GetBoolean("listen-for-notifications", true),
            CreateTriggers = config.GetBoolean("create-triggers", true),
            CreateTagIndex = config.GetBoolean("create-tag-index", true),
            OrderingScanSize = config.GetInt("ordering-scan-size", 10_000),
            ListenerReconnectDelay = config.GetTimeSpan("listener-reconnect-delay", TimeSpan.FromMilliseconds(200)),
            ListenerMaxReconnectDelay = config.GetTimeSpan("listener-max-reconnect-delay", TimeSpan.FromSeconds(10)),
        };
        settings.Validate();
        return settings;
    }

    public static FastSqlProvider ParseProvider(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Contains("sqlite", StringComparison.OrdinalIgnoreCase)) return FastSqlProvider.Sqlite;
        if (name.Contains("postgres", StringComparison.OrdinalIgnoreCase)) return FastSqlProvider.Postgres;
        throw new ConfigurationException($"fast-sql read journal: unknown provider '{name}' (sqlite | postgres).");
    }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ConnectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(JournalTable);
        ArgumentException.ThrowIfNullOrWhiteSpace(TagsTable);
        ArgumentOutOfRangeException.ThrowIfLessThan(PageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinReadInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MinReadInterval, PollInterval);
        ArgumentOutOfRangeException.ThrowIfLessThan(OrderingScanSize, PageSize);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ListenerReconnectDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ListenerMaxReconnectDelay, ListenerReconnectDelay);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
