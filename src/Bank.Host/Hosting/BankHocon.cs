using Akka.Configuration;

namespace Bank.Host.Hosting;

/// <summary>
/// The host's one source of settings: hocon/bank.conf (Akka's own HOCON) and, read after it so that it overrides, the
/// file named by <c>BANK_CONFIG</c> (or hocon/postgres.conf when <c>BANK_JOURNAL=postgres</c>), then the environment
/// variables of <see cref="EnvironmentVariables"/>. The same <see cref="Config"/> configures Akka and the bank.
/// </summary>
public sealed class BankHocon
{
    /// <summary>Names the configuration file read after bank.conf: <c>postgres</c>, <c>postgres.conf</c>, or a path.</summary>
    public const string FileVariable = "BANK_CONFIG";

    public const string JournalVariable = "BANK_JOURNAL";

    public const string DefaultFile = "bank.conf";

    /// <summary>
    /// An ASP.NET Core configuration key (command line <c>--bank-hocon</c>, or a test's UseSetting) whose HOCON text is
    /// read last, overriding the files.
    /// </summary>
    public const string OverridesKey = "bank-hocon";

    /// <summary>
    /// The environment variables that override a key. Applied by the host rather than with HOCON's <c>${?VAR}</c>:
    /// Akka's parser drops a key whose optional substitution is unset instead of keeping the value before it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> EnvironmentVariables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [JournalVariable] = "bank.journal",
        ["BANK_SQLITE"] = "bank.sqlite.connection-string",
        ["ACTORS_POSTGRES"] = "bank.postgres.connection-string",
        ["BANK_HOST"] = "bank.http.host",
        ["BANK_PORT"] = "bank.http.port",
        ["BANK_READ_YOUR_WRITES_TIMEOUT"] = "bank.read-model.read-your-writes-timeout",
        ["BANK_READ_MODEL_SQLITE"] = ReadModelSqlitePath,
        ["BANK_READ_JOURNAL"] = "bank.read-journal",
        ["BANK_JOURNAL_WRITER"] = "bank.journal-writer",
        ["BANK_SNAPSHOT_STORE"] = "bank.snapshot-store",
        ["BANK_CLUSTER_HOST"] = "akka.remote.dot-netty.tcp.hostname",
        ["BANK_CLUSTER_PORT"] = "akka.remote.dot-netty.tcp.port",
        [SeedsVariable] = SeedNodesPath,
    };

    public const string SeedsVariable = "BANK_CLUSTER_SEEDS";

    private const string ReadModelSqlitePath = "bank.read-model.sqlite.connection-string";

    private const string SeedNodesPath = "akka.cluster.seed-nodes";

    private BankHocon(Config config, IReadOnlyList<string> files)
    {
        Config = config;
        Files = files;
    }

    public Config Config { get; }

    /// <summary>The files read, in order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary><c>bank.journal</c>: sqlite or postgres.</summary>
    public JournalKind Journal => Config.GetString("bank.journal", "sqlite").Trim().ToLowerInvariant() switch
    {
        "sqlite" => JournalKind.Sqlite,
        "postgres" or "postgresql" => JournalKind.Postgres,
        var other => throw new InvalidOperationException($"bank.journal (or {JournalVariable}) is '{other}'; it must be sqlite or postgres."),
    };

    /// <summary>
    /// <c>bank.journal-writer</c>: the journal plugin that writes events, <c>group-commit</c> (ours, src/Actors.Journal)
    /// or <c>akka-sql</c> (Akka.Persistence.Sql's own). Both write the same tables, so either can follow the other.
    /// </summary>
    public string JournalWriterPlugin => Config.GetString("bank.journal-writer", "group-commit").Trim().ToLowerInvariant() switch
    {
        "group-commit" => "akka.persistence.journal.group-commit",
        "akka-sql" => "akka.persistence.journal.sql",
        var other => throw new InvalidOperationException($"bank.journal-writer (or BANK_JOURNAL_WRITER) is '{other}'; it must be group-commit or akka-sql."),
    };

    /// <summary>
    /// <c>bank.snapshot-store</c>: the snapshot store plugin, <c>fast-sql</c> (ours, src/Actors.Journal: plain ADO.NET) or
    /// <c>akka-sql</c> (Akka.Persistence.Sql's own). Both use the same <c>snapshot</c> table, so either reads the other's.
    /// </summary>
    public string SnapshotStorePlugin => Config.GetString("bank.snapshot-store", "fast-sql").Trim().ToLowerInvariant() switch
    {
        "fast-sql" => "akka.persistence.snapshot-store.fast-sql",
        "akka-sql" => "akka.persistence.snapshot-store.sql",
        var other => throw new InvalidOperationException($"bank.snapshot-store (or BANK_SNAPSHOT_STORE) is '{other}'; it must be fast-sql or akka-sql."),
    };

    /// <summary>
    /// The Akka configuration: the files, with the journal plugin that <see cref="JournalWriterPlugin"/> names made the
    /// default journal and the write plugin of both read journals, and <see cref="SnapshotStorePlugin"/> the snapshot store.
    /// </summary>
    public Config AkkaConfig => ConfigurationFactory.ParseString(
        $"akka.persistence.journal.plugin = \"{JournalWriterPlugin}\"\n" +
        $"akka.persistence.snapshot-store.plugin = \"{SnapshotStorePlugin}\"\n" +
        $"akka.persistence.query.journal.sql.write-plugin = \"{JournalWriterPlugin}\"\n" +
        $"akka.persistence.query.journal.fast-sql.write-plugin = \"{JournalWriterPlugin}\"\n").WithFallback(Config);

    /// <summary>The connection string of the journal's database (the snapshot store and the read model use it too).</summary>
    public string ConnectionString => Config.GetString(Journal == JournalKind.Sqlite ? "bank.sqlite.connection-string" : "bank.postgres.connection-string")
                                      ?? throw new InvalidOperationException("The journal's connection string is not configured.");

    /// <summary>
    /// SQLite: the connection string of the read model's own file (<c>bank.read-model.sqlite.connection-string</c>).
    /// Empty: a file beside the journal's, named after it (<c>bank.db</c>: <c>bank-read-model.db</c>); an in-memory
    /// journal keeps its read model in the same database. The read model's transactions then take the write lock of their
    /// own file, not the journal's. The journal's connection string puts the read model back into the journal's file.
    /// </summary>
    public string ReadModelSqliteConnectionString
    {
        get
        {
            var configured = Config.GetString(ReadModelSqlitePath, "");
            if (!string.IsNullOrWhiteSpace(configured)) return configured;
            var journal = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(Config.GetString("bank.sqlite.connection-string"));
            var file = journal.DataSource;
            if (journal.Mode == Microsoft.Data.Sqlite.SqliteOpenMode.Memory || file is "" or ":memory:" || file.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
                return journal.ConnectionString;
            journal.DataSource = Path.Combine(Path.GetDirectoryName(file) ?? "", Path.GetFileNameWithoutExtension(file) + "-read-model" + Path.GetExtension(file));
            return journal.ConnectionString;
        }
    }

    /// <summary>
    /// Reads bank.conf, then hocon/postgres.conf whenever the journal is PostgreSQL, then the file <c>BANK_CONFIG</c> names
    /// (cluster.conf when only <c>BANK_CLUSTER_SEEDS</c> is set), then the environment variables, then
    /// <paramref name="overrides"/> (HOCON text, for tests and tools), all as one document, so that later keys win and
    /// substitutions see the result.
    /// </summary>
    public static BankHocon Load(string? overrides = null, string? baseDirectory = null)
    {
        var hoconDirectory = Path.Combine(baseDirectory ?? AppContext.BaseDirectory, "hocon");
        var files = new List<string> { ResolveFile(DefaultFile, hoconDirectory) };
        var named = Environment.GetEnvironmentVariable(FileVariable);
        if (string.IsNullOrWhiteSpace(named) && !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(SeedsVariable))) named = "cluster";
        if (!string.IsNullOrWhiteSpace(named)) files.Add(ResolveFile(named, hoconDirectory));

        var hocon = Parse(files, overrides);
        var postgres = ResolveFile("postgres", hoconDirectory);
        if (hocon.Journal == JournalKind.Postgres && !files.Contains(postgres))
        {
            // The database's plugin settings come before the named file, which may refine them.
            files.Insert(1, postgres);
            hocon = Parse(files, overrides);
        }
        return hocon;
    }

    private static BankHocon Parse(IReadOnlyList<string> files, string? overrides)
    {
        var text = string.Join("\n", files.Distinct().Select(File.ReadAllText).Append(FromEnvironment()).Append(overrides ?? ""));
        try
        {
            return new BankHocon(ConfigurationFactory.ParseString(text), files.Distinct().ToList());
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"The bank configuration ({string.Join(", ", files)}) could not be read: {e.Message}", e);
        }
    }

    /// <summary>The set variables of <see cref="EnvironmentVariables"/> as HOCON.</summary>
    private static string FromEnvironment() => string.Join("\n", EnvironmentVariables
        .Select(pair => (Value: Environment.GetEnvironmentVariable(pair.Key), Path: pair.Value))
        .Where(variable => !string.IsNullOrWhiteSpace(variable.Value))
        .Select(variable => $"{variable.Path} = {HoconValue(variable.Path, variable.Value!.Trim())}"));

    /// <summary>A quoted string; the seed nodes become a list of the seeds' remoting addresses.</summary>
    private static string HoconValue(string path, string value) => path == SeedNodesPath
        ? "[" + string.Join(", ", value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(seed => System.Text.Json.JsonSerializer.Serialize(SeedAddress(seed)))) + "]"
        : System.Text.Json.JsonSerializer.Serialize(value);

    /// <summary><c>host:port</c> (or a full <c>akka.tcp://...</c> address) as the seed's remoting address.</summary>
    public static string SeedAddress(string seed)
    {
        if (seed.StartsWith("akka.tcp://", StringComparison.Ordinal)) return seed;
        var colon = seed.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], out var port) || port is < 1 or > 65535)
            throw new InvalidOperationException($"{SeedsVariable} holds '{seed}'; each seed is host:port, the remoting address of a seed node.");
        return $"akka.tcp://{BankAkka.SystemName}@{seed[..colon]}:{port}";
    }

    /// <summary>
    /// A bare name (with or without <c>.conf</c>) is looked up in <c>hocon/</c> beside the binary, anything with a
    /// directory in it is a path. Throws, naming the known configurations, if it does not exist.
    /// </summary>
    public static string ResolveFile(string name, string hoconDirectory)
    {
        name = name.Trim();
        var path = Path.IsPathRooted(name) || name.Contains('/') || name.Contains(Path.DirectorySeparatorChar)
            ? Path.GetFullPath(name)
            : Path.Combine(hoconDirectory, name.EndsWith(".conf", StringComparison.OrdinalIgnoreCase) ? name : name + ".conf");
        if (File.Exists(path)) return path;
        var known = Directory.Exists(hoconDirectory)
            ? string.Join(", ", Directory.EnumerateFiles(hoconDirectory, "*.conf").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal))
            : "none";
        throw new InvalidOperationException(
            $"The bank configuration file '{path}' does not exist ({FileVariable}='{name}'). Known configurations in {hoconDirectory}: {known}.");
    }
}

public enum JournalKind
{
    Sqlite,
    Postgres,
}
