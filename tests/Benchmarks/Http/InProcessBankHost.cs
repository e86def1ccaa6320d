using Actors.Benchmarks.Shared;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Sql;
using Bank.Actors.Serialization;
using Bank.Domain;
using Bank.Host.Hosting;
using Bank.Host.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Benchmarks.Http;

/// <summary>
/// The bank host as src/Bank.Host/Program.cs builds it (hocon/bank.conf through BankHocon.Load, UseBankHocon, AddBankHost,
/// MapBankApi) in this process, on Kestrel at a free 127.0.0.1 port, its SQLite journal in a temp directory (out of the
/// content root) or a PostgreSQL database it is given, logging at Warning. <see cref="Variant.Plain"/> is the same host with Akka.Persistence.Sql's stock
/// journal settings (its defaults put back over bank.conf's) and Akka's default serializer bound instead of the bank's;
/// the host's start-up still puts the file in WAL mode.
/// </summary>
internal sealed class InProcessBankHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private InProcessBankHost(WebApplication app, string directory, Uri address, string description, string token)
    {
        _app = app;
        _directory = directory;
        Address = address;
        Description = description;
        Token = token;
    }

    public Uri Address { get; }

    /// <summary>A teller's bearer token the host accepts: the benchmark measures the host as it runs, authentication on.</summary>
    public string Token { get; }

    /// <summary>The host's services: the actor system, the account gateway, the read side.</summary>
    public IServiceProvider Services => _app.Services;
    public string Description { get; }

    /// <param name="readModelInJournalFile">
    /// SQLite: the read model in the journal's own file (its layout before 2026-12-06), not in a file of its own beside it
    /// (the host's default): the projection's transactions then share the journal's write lock.
    /// </param>
    /// <param name="postgresDatabase">A PostgreSQL database (empty) for the journal and the read model, instead of SQLite.</param>
    public static async Task<InProcessBankHost> StartAsync(Variant variant, CancellationToken cancellationToken, bool readModelInJournalFile = false,
        string? postgresDatabase = null)
    {
        if (!variant.Available()) throw new NotSupportedException($"{variant.Label()} is not available in this build.");
        var directory = Path.Combine(Path.GetTempPath(), $"actors-bench-http-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var store = postgresDatabase is null
            ? new Nodes.Store(Nodes.StoreKind.Sqlite, new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "bank.db") }.ConnectionString)
            : new Nodes.Store(Nodes.StoreKind.Postgres, postgresDatabase);
        var database = store.ConnectionString!;
        var onSqlite = store.Kind == Nodes.StoreKind.Sqlite;
        // Authentication stays on (every request's token is verified, as in production), with a key of this run; the load
        // comes from one subject, so the per-subject command limit is lifted out of the way.
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var overrides = $$"""
            bank.auth.signing-key = "{{key}}"
            bank.limits.commands-per-second = 100000000
            bank.journal = {{(onSqlite ? "sqlite" : "postgres")}}
            bank.{{(onSqlite ? "sqlite" : "postgres")}}.connection-string = {{Quote(database)}}
            bank.http { host = "127.0.0.1", port = {{FreePort()}} }
            bank.logging { Default = Warning, "Microsoft.AspNetCore" = Warning }
            akka.loglevel = WARNING
            """;
        if (readModelInJournalFile && onSqlite) overrides += $"\nbank.read-model.sqlite.connection-string = {Quote(database)}";
        // Plain defaults read through Akka.Persistence.Sql's own read journal (the host's akka-sql choice), not ours.
        // The product writes with the group-commit journal; "ours" and plain defaults use the stock writer (bank.journal-writer).
        if (variant == Variant.Plain) overrides += "\nbank.read-journal = akka-sql\nbank.journal-writer = akka-sql\nbank.snapshot-store = akka-sql\n" + StockJournalSettings();
        else overrides += "\n" + (variant == Variant.GroupCommit ? Nodes.BenchNode.GroupCommitHocon(store) : "bank.journal-writer = akka-sql\nbank.snapshot-store = akka-sql\n")
                          + "\n" + (Environment.GetEnvironmentVariable(Nodes.BenchNode.ExtraHoconVariable) ?? "");
        WebApplication app;
        try
        {
            var hocon = BankHocon.Load(overrides);
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
            builder.UseBankHocon(hocon);
            builder.Services.AddBankHost(hocon, variant switch
            {
                Variant.Plain => (akka, _) => BindDefaultSerializer(akka),
                // The plugin's class must be in the system's configuration (src/Actors.Journal/README.md).
                Variant.GroupCommit => (akka, _) => akka.AddHocon(global::Actors.Journal.GroupCommitJournal.DefaultConfiguration, HoconAddMode.Append),
                _ => null,
            });
            app = builder.Build();
            app.MapBankApi();
        }
        catch
        {
            Nodes.BenchDatabase.TryDelete(directory);
            throw;
        }
        try
        {
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var system = app.Services.GetRequiredService<ActorSystem>();
            var serializer = system.Serialization.FindSerializerForType(typeof(MoneyDeposited)).GetType().Name;
            var expected = variant == Variant.Plain ? "NewtonSoftJsonSerializer" : nameof(BankSerializer);
            if (serializer != expected) throw new InvalidOperationException($"The {variant.Label()} host serializes events with {serializer}, not {expected}.");
            var plugin = system.Settings.Config.GetString("akka.persistence.journal.plugin");
            var journal = system.Settings.Config.GetConfig(plugin);
            var query = system.Settings.Config.GetConfig("akka.persistence.query.journal.sql");
            var readJournal = app.Services.GetRequiredService<BankHocon>().Config.GetString("bank.read-journal", "akka-sql");
            var readModel = !onSqlite ? "in the journal's database"
                : app.Services.GetRequiredService<BankHocon>().ReadModelSqliteConnectionString == database ? "in the journal's file" : "in a file of its own";
            var description = $"{variant.Label()}: in-process Bank.Host on Kestrel, {(onSqlite ? "SQLite (WAL)" : "PostgreSQL")}, journal {plugin}, {readJournal} read journal, read model {readModel}, snapshot store {system.Settings.Config.GetString("akka.persistence.snapshot-store.plugin")}, events by {serializer}, journal parallelism {journal.GetInt("parallelism")}, "
                              + (variant == Variant.GroupCommit
                                  ? $"max-batch-size {journal.GetInt("max-batch-size")}; "
                                  : $"batch-size {journal.GetInt("batch-size")}, buffer-size {journal.GetInt("buffer-size")}, read isolation {journal.GetString("read-isolation-level")}; ")
                              + $"read journal refresh-interval {query.GetTimeSpan("refresh-interval").TotalMilliseconds:0} ms, query-delay {query.GetTimeSpan("journal-sequence-retrieval.query-delay").TotalMilliseconds:0} ms";
            if (variant != Variant.Plain && Environment.GetEnvironmentVariable(Nodes.BenchNode.ExtraHoconVariable) is { Length: > 0 } extra)
                description += $" (with {Nodes.BenchNode.ExtraHoconVariable}: {extra.ReplaceLineEndings(" ")})";
            description += "; auth on (JWT HS256 per request, one teller subject, command rate limit lifted)";
            var auth = app.Services.GetRequiredService<Bank.Host.Auth.BankAuthSettings>();
            var token = Bank.Host.Auth.BankTokens.Mint(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(Convert.FromBase64String(key)), auth.Issuer, auth.Audience,
                "benchmark", [Bank.Host.Auth.BankClaims.Teller], DateTimeOffset.UtcNow.AddMinutes(-5), TimeSpan.FromDays(1));
            return new InProcessBankHost(app, directory, new Uri(address), description, token);
        }
        catch
        {
            await app.DisposeAsync();
            Nodes.BenchDatabase.TryDelete(directory);
            throw;
        }
    }

    /// <summary>
    /// The persistence keys bank.conf sets (journal, snapshot store, read journal), put back at Akka.Persistence.Sql's own
    /// defaults, so that only the provider and the connection string remain the host's.
    /// </summary>
    private static string StockJournalSettings()
    {
        var stock = SqlPersistence.DefaultConfiguration;
        string[] keys =
        [
            "akka.persistence.journal.sql.parallelism", "akka.persistence.journal.sql.batch-size", "akka.persistence.journal.sql.db-round-trip-max-batch-size",
            "akka.persistence.journal.sql.buffer-size", "akka.persistence.journal.sql.tagtable-asqueryable-insert-mode",
            "akka.persistence.journal.sql.read-isolation-level", "akka.persistence.journal.sql.write-isolation-level",
            "akka.persistence.snapshot-store.sql.read-isolation-level", "akka.persistence.snapshot-store.sql.write-isolation-level",
            "akka.persistence.query.journal.sql.read-isolation-level", "akka.persistence.query.journal.sql.refresh-interval",
            "akka.persistence.query.journal.sql.journal-sequence-retrieval.query-delay", "akka.persistence.query.journal.sql.journal-sequence-retrieval.max-tries",
        ];
        return string.Join("\n", keys.Where(stock.HasPath).Select(key => $"{key} = {Quote(stock.GetString(key))}"));
    }

    /// <summary>
    /// The bank's messages left to Akka's default serializer (Newtonsoft JSON), as if WithBankSerializer had not been
    /// called: its registration is taken out of the builder again. Akka.Hosting keeps the registrations in an internal
    /// collection (<c>Serializers</c>) and turns them into a serialization setup, whose bindings Akka applies after the
    /// configuration's, so a HOCON binding cannot undo it. Checked after start-up (the host must serialize with Newtonsoft).
    /// </summary>
    private static void BindDefaultSerializer(AkkaConfigurationBuilder akka)
    {
        const System.Reflection.BindingFlags flags = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic;
        var member = (object?)typeof(AkkaConfigurationBuilder).GetField("Serializers", flags) ?? typeof(AkkaConfigurationBuilder).GetProperty("Serializers", flags)
            ?? throw new InvalidOperationException("Akka.Hosting's AkkaConfigurationBuilder has no Serializers collection any more: update the benchmark's plain variant.");
        var collection = member is System.Reflection.FieldInfo field ? field.GetValue(akka) : ((System.Reflection.PropertyInfo)member).GetValue(akka);
        if (collection is not System.Collections.IEnumerable registrations) throw new InvalidOperationException("Akka.Hosting's Serializers is not a collection.");
        var bank = registrations.Cast<object>().Where(registration => registration.GetType()
                .GetProperties(flags).Any(property => property.PropertyType == typeof(string) && property.GetIndexParameters().Length == 0
                                                      && Equals(property.GetValue(registration), BankSerializer.Name)))
            .ToList();
        var remove = collection.GetType().GetMethod("Remove", [collection.GetType().GetGenericArguments().FirstOrDefault() ?? typeof(object)])
                     ?? throw new InvalidOperationException("Akka.Hosting's Serializers cannot be changed.");
        foreach (var registration in bank) remove.Invoke(collection, [registration]);
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        finally
        {
            await _app.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Nodes.BenchDatabase.TryDelete(_directory);
        }
    }
}
