using System.Globalization;
using Actors.Benchmarks.Shared;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence.Sql;
using Bank.Actors.Accounts;
using Bank.Actors.Hosting;
using Bank.Domain;
using Bank.Host.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Benchmarks.Nodes;

public enum StoreKind { InMemory, Sqlite, Postgres }

/// <summary>Where a node keeps its journal and snapshots: the in-memory plugins, a SQLite file, or a PostgreSQL database.</summary>
public sealed record Store(StoreKind Kind, string? ConnectionString = null)
{
    public static Store InMemory { get; } = new(StoreKind.InMemory);

    public string Label => Kind switch
    {
        StoreKind.InMemory => "in-memory journal",
        StoreKind.Sqlite => "SQLite",
        _ => "PostgreSQL",
    };
}

/// <summary>
/// A one-node Akka cluster with the accounts' shard region, built with Akka.Hosting as the host builds it
/// (src/Bank.Host/Hosting/BankAkka.cs), in one of two configurations:
/// <list type="bullet">
/// <item><see cref="Variant.Ours"/>: hocon/bank.conf (and postgres.conf) read by the host's own <see cref="BankHocon.Load"/>,
/// the accounts wired by the product's <c>WithAccounts</c> (bank serializer and shard region), the SQLite file in WAL
/// mode as the host's start-up sets it.</item>
/// <item><see cref="Variant.Plain"/>: the same account actor and shard options, on Akka.Persistence.Sql with only its
/// provider and connection string set (every other setting its default) and Akka's default serializer (Newtonsoft JSON);
/// a SQLite file as Microsoft.Data.Sqlite creates it (rollback journal).</item>
/// </list>
/// Both log at Warning (to the console) and use the bank's account settings (snapshot every 1,000 events, passivation).
/// </summary>
public sealed class BenchNode : IAsyncDisposable
{
    private readonly IHost _host;

    private BenchNode(IHost host, ActorSystem system, IActorRef region, AccountSettings settings, string description)
    {
        _host = host;
        System = system;
        Region = region;
        Settings = settings;
        Description = description;
    }

    /// <summary>bank.accounts of hocon/bank.conf: snapshot every 1,000 events, keep 2, passivate after 2 min, window of 1,000.</summary>
    public static AccountSettings ProductAccountSettings => AccountSettings.From(BankHocon.Load().Config.GetConfig("bank.accounts"));

    public ActorSystem System { get; }
    public IActorRef Region { get; }
    public AccountSettings Settings { get; }

    /// <summary>What the node runs on: store, serializer, journal settings (checked on the running system, not assumed).</summary>
    public string Description { get; }

    /// <summary>An environment variable with HOCON applied over ours only (to try a setting); shown in the node's description.</summary>
    public const string ExtraHoconVariable = "ACTORS_BENCH_HOCON";

    /// <summary>The configuration of a variant on a store, as the node is started with.</summary>
    /// <param name="extraHocon">HOCON over ours (not for plain defaults), e.g. another snapshot store for an A/B in one run.</param>
    public static Config ConfigFor(Variant variant, Store store, string? extraHocon = null)
    {
        const string quiet = "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\n";
        if (variant is Variant.Ours or Variant.GroupCommit)
        {
            var overrides = store.Kind switch
            {
                StoreKind.Sqlite => $"bank.journal = sqlite\nbank.sqlite.connection-string = {Quote(store.ConnectionString!)}\n",
                StoreKind.Postgres => $"bank.journal = postgres\nbank.postgres.connection-string = {Quote(store.ConnectionString!)}\n",
                _ => "akka.persistence.journal.plugin = \"akka.persistence.journal.inmem\"\n"
                     + "akka.persistence.snapshot-store.plugin = \"akka.persistence.snapshot-store.inmem\"\n",
            };
            // The product writes with the group-commit journal (bank.journal-writer); "ours" is the stock writer with our settings.
            // The same for snapshots (bank.snapshot-store): the product's fast-sql, the stock store for "ours".
            if (store.Kind != StoreKind.InMemory) overrides += variant == Variant.GroupCommit ? GroupCommitHocon(store) : "bank.journal-writer = akka-sql\nbank.snapshot-store = akka-sql\n";
            overrides += "\n" + (extraHocon ?? "") + "\n";
            // ACTORS_BENCH_HOCON: HOCON over ours, to try a setting before it goes into hocon/*.conf (the run's notes show it).
            var hocon = BankHocon.Load(quiet + overrides + "\n" + (Environment.GetEnvironmentVariable(ExtraHoconVariable) ?? ""));
            // AkkaConfig makes bank.journal-writer's plugin the journal; the in-memory store keeps its own.
            return store.Kind == StoreKind.InMemory ? hocon.Config : hocon.AkkaConfig;
        }
        if (variant != Variant.Plain) throw new NotSupportedException($"{variant.Label()} is not known here.");

        var provider = store.Kind == StoreKind.Postgres ? "PostgreSQL.15" : "SQLite.MS";
        var persistence = store.Kind == StoreKind.InMemory
            ? """
              akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
              akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
              """
            : $$"""
                akka.persistence.journal.plugin = "akka.persistence.journal.sql"
                akka.persistence.journal.sql { provider-name = "{{provider}}", connection-string = {{Quote(store.ConnectionString!)}} }
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
                akka.persistence.snapshot-store.sql { provider-name = "{{provider}}", connection-string = {{Quote(store.ConnectionString!)}} }
                """;
        return ConfigurationFactory.ParseString(quiet + """
                akka.actor.provider = cluster
                akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
                """ + "\n" + persistence);
    }

    /// <summary>
    /// The group-commit journal (src/Actors.Journal/README.md) as the write plugin, on the store's database, and the read
    /// journal pointed at it; the snapshot store is the product's (bank.snapshot-store, fast-sql). Not for the in-memory store.
    /// </summary>
    public static string GroupCommitHocon(Store store)
    {
        if (store.Kind == StoreKind.InMemory) throw new NotSupportedException("The group-commit journal writes to a database: it has no in-memory variant.");
        return $$"""

            bank.journal-writer = group-commit
            akka.persistence.journal.plugin = "akka.persistence.journal.group-commit"
            akka.persistence.journal.group-commit {
              provider = {{(store.Kind == StoreKind.Postgres ? "postgres" : "sqlite")}}
              connection-string = {{Quote(store.ConnectionString!)}}
            }
            akka.persistence.query.journal.sql.write-plugin = "akka.persistence.journal.group-commit"
            """;
    }

    public static async Task<BenchNode> StartAsync(Variant variant, Store store, CancellationToken cancellationToken, AccountSettings? settings = null,
        string? extraHocon = null)
    {
        var config = ConfigFor(variant, store, extraHocon);
        // The bank's account settings (hocon/bank.conf, bank.accounts) in both variants: the account actor is the same.
        settings ??= ProductAccountSettings;
        if (variant is Variant.Ours or Variant.GroupCommit && store.Kind == StoreKind.Sqlite) await UseWalAsync(store.ConnectionString!, cancellationToken);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            // Not the working directory: nothing here watches files, and the databases live in the temp directory anyway.
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(options => options.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var accountSettings = settings;
        builder.Services.AddAkka(BankAkka.SystemName, (akka, _) =>
        {
            akka.AddHocon(config.WithFallback(SqlPersistence.DefaultConfiguration), HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                });
            // The plugin's class must be in the system's configuration (src/Actors.Journal/README.md).
            if (variant == Variant.GroupCommit) akka.AddHocon(global::Actors.Journal.GroupCommitJournal.DefaultConfiguration, HoconAddMode.Append);
            if (variant is Variant.Ours or Variant.GroupCommit)
            {
                akka.WithAccounts(accountSettings);
            }
            else
            {
                // Plain defaults: the same region, without the bank serializer.
                akka.WithAccountRegion(accountSettings);
            }
            akka.AddStartup((system, _) => Cluster.Get(system).Join(Cluster.Get(system).SelfAddress));
        });

        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
            var system = host.Services.GetRequiredService<ActorSystem>();
            var cluster = Cluster.Get(system);
            using (var up = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                up.CancelAfter(TimeSpan.FromSeconds(30));
                while (cluster.SelfMember.Status != MemberStatus.Up) await Task.Delay(20, up.Token);
            }
            var region = await ActorRegistry.For(system).GetAsync<AccountRegion>(cancellationToken);
            return new BenchNode(host, system, region, accountSettings, Describe(variant, store, system));
        }
        catch
        {
            await StopAsync(host);
            throw;
        }
    }

    /// <summary>What the host's start-up (JournalDatabase) does to a SQLite file: WAL, which stays set in the file.</summary>
    private static async Task UseWalAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        var mode = await command.ExecuteScalarAsync(cancellationToken) as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase)) throw new InvalidOperationException($"SQLite refused WAL mode ({mode}).");
    }

    private static string Describe(Variant variant, Store store, ActorSystem system)
    {
        var serializer = system.Serialization.FindSerializerForType(typeof(MoneyDeposited)).GetType().Name;
        var text = $"{variant.Label()}: {store.Label}, events by {serializer}, snapshot store {system.Settings.Config.GetString("akka.persistence.snapshot-store.plugin")}";
        if (variant is Variant.Ours or Variant.GroupCommit && Environment.GetEnvironmentVariable(ExtraHoconVariable) is { Length: > 0 } extra)
            text += $" (with {ExtraHoconVariable}: {extra.ReplaceLineEndings(" ")})";
        if (store.Kind == StoreKind.InMemory) return text;
        if (variant == Variant.GroupCommit)
        {
            var groupCommit = system.Settings.Config.GetConfig("akka.persistence.journal.group-commit");
            text += string.Create(CultureInfo.InvariantCulture,
                $", group-commit journal ({system.Settings.Config.GetString("akka.persistence.journal.plugin")}) max-batch-size {groupCommit.GetInt("max-batch-size")}, parallelism {groupCommit.GetInt("parallelism")} (0: 1 on SQLite, 2 on PostgreSQL)");
            if (store.Kind == StoreKind.Sqlite) text += $", {SqliteJournalMode(store.ConnectionString!)} mode";
            return text;
        }
        var journal = system.Settings.Config.GetConfig("akka.persistence.journal.sql");
        text += string.Create(CultureInfo.InvariantCulture,
            $", journal parallelism {journal.GetInt("parallelism")}, batch-size {journal.GetInt("batch-size")}, buffer-size {journal.GetInt("buffer-size")}, "
            + $"tag insert mode {journal.GetString("tagtable-asqueryable-insert-mode")}");
        if (store.Kind == StoreKind.Sqlite) text += $", {SqliteJournalMode(store.ConnectionString!)} mode";
        return text;
    }

    private static string SqliteJournalMode(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        return (command.ExecuteScalar() as string ?? "?").ToUpperInvariant();
    }

    private static string Quote(string text) => global::System.Text.Json.JsonSerializer.Serialize(text);

    public ValueTask DisposeAsync() => new(StopAsync(_host));

    private static async Task StopAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        finally
        {
            host.Dispose();
            SqliteConnection.ClearAllPools();
        }
    }
}
