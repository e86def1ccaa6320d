using Akka.Configuration;

namespace Actors.Journal;

/// <summary>The database behind the journal.</summary>
public enum JournalProvider
{
    Sqlite,
    Postgres,
}

/// <summary>The plugin's settings, read from its HOCON section (with the assembly's reference.conf as fallback).</summary>
public sealed record JournalSettings
{
    public required JournalProvider Provider { get; init; }
    public required string ConnectionString { get; init; }
    public bool AutoInitialize { get; init; } = true;
    public int MaxBatchSize { get; init; } = 1000;
    public int MaxBufferedWrites { get; init; } = 50_000;
    public int Parallelism { get; init; }
    public int ReplayBatchSize { get; init; } = 10_000;
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public string? DefaultSerializer { get; init; }
    public bool UseWriterUuidColumn { get; init; } = true;
    public string SqliteSynchronous { get; init; } = "FULL";
    public int SqliteCacheSizeKib { get; init; } = 65536;
    public int SqliteWalAutoCheckpoint { get; init; } = 16384;
    public TimeSpan SqliteCheckpointInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    public int SqliteRowsPerStatement { get; init; } = 64;
    public TimeSpan SqliteBusyTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public int SqliteIdleReaders { get; init; } = 8;
    public int PostgresCopyThreshold { get; init; } = 64;

    /// <summary>Write lanes in effect (parallelism 0 = 1 on SQLite, 2 on PostgreSQL).</summary>
    public int Lanes => Parallelism > 0 ? Parallelism : Provider == JournalProvider.Sqlite ? 1 : 2;

    public static JournalSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config = config.WithFallback(GroupCommitJournal.ReferenceSection);
        var settings = new JournalSettings
        {
            Provider = ParseProvider(config.GetString("provider", "sqlite")),
            ConnectionString = config.GetString("connection-string", ""),
            AutoInitialize = config.GetBoolean("auto-initialize", true),
            MaxBatchSize = config.GetInt("max-batch-size", 1000),
            MaxBufferedWrites = config.GetInt("max-buffered-writes", 50_000),
            Parallelism = config.GetInt("parallelism", 0),
            ReplayBatchSize = config.GetInt("replay-batch-size", 10_000),
            ShutdownTimeout = config.GetTimeSpan("shutdown-timeout", TimeSpan.FromSeconds(5)),
            DefaultSerializer = NullIfEmpty(config.GetString("serializer", null)),
            UseWriterUuidColumn = config.GetBoolean("use-writer-uuid-column", true),
            SqliteSynchronous = ParseSynchronous(config.GetString("sqlite.synchronous", "full")),
            SqliteCacheSizeKib = config.GetInt("sqlite.cache-size-kib", 65536),
            SqliteWalAutoCheckpoint = config.GetInt("sqlite.wal-autocheckpoint", 16384),
            SqliteCheckpointInterval = OffOrTimeSpan(config, "sqlite.checkpoint-interval", TimeSpan.FromMilliseconds(100)),
            SqliteRowsPerStatement = config.GetInt("sqlite.rows-per-statement", 64),
            SqliteBusyTimeout = config.GetTimeSpan("sqlite.busy-timeout", TimeSpan.FromSeconds(30)),
            SqliteIdleReaders = config.GetInt("sqlite.idle-readers", 8),
            PostgresCopyThreshold = config.GetInt("postgres.copy-threshold", 64),
        };
        settings.Validate();
        return settings;
    }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
            throw new ConfigurationException("The group-commit journal needs a connection-string.");
        if (MaxBatchSize < 1) throw new ConfigurationException("max-batch-size must be at least 1.");
        if (MaxBufferedWrites < 1) throw new ConfigurationException("max-buffered-writes must be at least 1.");
        if (Parallelism < 0) throw new ConfigurationException("parallelism must be 0 (automatic) or more.");
        if (ReplayBatchSize < 1) throw new ConfigurationException("replay-batch-size must be at least 1.");
        if (SqliteIdleReaders < 0) throw new ConfigurationException("sqlite.idle-readers must be 0 or more.");
        if (SqliteWalAutoCheckpoint < 1) throw new ConfigurationException("sqlite.wal-autocheckpoint must be at least 1 page.");
        if (SqliteCheckpointInterval < TimeSpan.Zero) throw new ConfigurationException("sqlite.checkpoint-interval must be off or a positive duration.");
        if (SqliteRowsPerStatement is < 1 or > 1000) throw new ConfigurationException("sqlite.rows-per-statement must be 1..1000.");
        if (PostgresCopyThreshold < 1) throw new ConfigurationException("postgres.copy-threshold must be at least 1.");
    }

    internal static JournalProvider ParseProvider(string? value) => (value ?? "").Trim().ToLowerInvariant() switch
    {
        "sqlite" or "sqlite.ms" or "sqlite.classic" => JournalProvider.Sqlite,
        var v when v.StartsWith("sqlite", StringComparison.Ordinal) => JournalProvider.Sqlite,
        "postgres" or "postgresql" or "npgsql" => JournalProvider.Postgres,
        var v when v.StartsWith("postgresql", StringComparison.Ordinal) => JournalProvider.Postgres,
        var v => throw new ConfigurationException($"Unknown provider '{v}' for the group-commit journal: use sqlite or postgres."),
    };

    private static string ParseSynchronous(string? value) => (value ?? "").Trim().ToUpperInvariant() switch
    {
        "FULL" or "" => "FULL",
        "NORMAL" => "NORMAL",
        "EXTRA" => "EXTRA",
        "OFF" => "OFF",
        var v => throw new ConfigurationException($"sqlite.synchronous must be full, normal, extra or off, not '{v}'."),
    };

    /// <summary>A duration, or <c>off</c> (also <c>0</c>) for zero.</summary>
    private static TimeSpan OffOrTimeSpan(Config config, string path, TimeSpan fallback)
    {
        if (!config.HasPath(path)) return fallback;
        var text = config.GetString(path, "").Trim();
        if (text is "off" or "false" or "0" or "no") return TimeSpan.Zero;
        try
        {
            return config.GetTimeSpan(path, fallback);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"{path} must be off or a duration such as 250ms, not '{text}'.");
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) || value == "null" ? null : value;
}
