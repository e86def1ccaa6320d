using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Query;
using Bank.ReadModels.Projections;
using Bank.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bank.ReadModels.Tests.Infrastructure;

/// <summary>How a test's read side is set up.</summary>
/// <param name="RefreshInterval">The read journal's refresh-interval and journal-sequence-retrieval.query-delay.</param>
/// <param name="GapMaxTries">journal-sequence-retrieval.max-tries: how many query-delays the read journal waits for a gap before skipping it.</param>
public sealed record ReadSideOptions(TimeSpan? RefreshInterval = null, int GapMaxTries = 3, ProjectionSettings? Settings = null, ILoggingAdapter? Log = null)
{
    public static readonly ProjectionSettings FastSettings = new()
    {
        MinBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        ProgressLogInterval = TimeSpan.Zero,
        GapCheckInterval = TimeSpan.FromMilliseconds(100),
        StalledStreamTimeout = TimeSpan.FromSeconds(3),
    };

    public TimeSpan Refresh => RefreshInterval ?? TimeSpan.FromMilliseconds(50);
}

/// <summary>
/// A real ActorSystem with Akka.Persistence.Sql as journal and read journal (a temp SQLite file in WAL mode, or a fresh
/// database on the throwaway PostgreSQL server), the bank read model in the same database, and a writer of account
/// events: as the host wires them. Fresh for each test.
/// </summary>
public sealed class ReadSide : IAsyncDisposable
{
    private readonly Func<ValueTask> _cleanup;

    private ReadSide(ActorSystem system, string connectionString, ProjectionDatabase database, JournalPositions positions,
        ReadSideOptions options, Func<ValueTask> cleanup)
    {
        System = system;
        ConnectionString = connectionString;
        Database = database;
        Positions = positions;
        Options = options;
        _cleanup = cleanup;
        // SqlReadJournal's constructor blocks until the write journal has initialized (created its tables).
        ReadJournal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        Projection = NewProjection();
        Queries = new BankReadModelQueries(database);
        Writer = new AccountWriter(system, positions);
    }

    public ActorSystem System { get; }
    public string ConnectionString { get; }
    public SqlReadJournal ReadJournal { get; }
    public ProjectionDatabase Database { get; }
    public JournalPositions Positions { get; }
    public ReadSideOptions Options { get; }
    public Projection Projection { get; }
    public BankReadModelQueries Queries { get; }
    public AccountWriter Writer { get; }
    public bool IsPostgres => Database.Dialect == SqlDialect.Postgres;

    /// <param name="readModelFile">
    /// True: the read model in a SQLite file of its own with the journal's file attached (the host's layout); false: in
    /// the journal's file.
    /// </param>
    public static async Task<ReadSide> SqliteAsync(ReadSideOptions? options = null, bool readModelFile = false)
    {
        options ??= new ReadSideOptions();
        var directory = Path.Combine(Path.GetTempPath(), "bank-read-model-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var connectionString = $"Data Source={Path.Combine(directory, "bank.db")}";
        // Microsoft.Data.Sqlite cannot set the journal mode from the connection string; it is persistent in the file.
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync();
        }
        var system = CreateSystem(connectionString, "SQLite.MS", options);
        await WarmUpAsync(system);
        var database = readModelFile
            ? ProjectionDatabase.Sqlite($"Data Source={Path.Combine(directory, "bank-read-model.db")}", journalConnectionString: connectionString)
            : ProjectionDatabase.Sqlite(connectionString);
        var positions = JournalPositions.Sqlite(connectionString);
        var side = new ReadSide(system, connectionString, database, positions, options, async () =>
        {
            await database.DisposeAsync();
            await positions.DisposeAsync();
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory must not fail the test.
            }
        });
        return side;
    }

    public static async Task<ReadSide> PostgresAsync(PostgresServer server, ReadSideOptions? options = null)
    {
        options ??= new ReadSideOptions();
        var connectionString = await server.CreateDatabaseAsync();
        var system = CreateSystem(connectionString, "PostgreSQL.15", options);
        await WarmUpAsync(system);
        var database = ProjectionDatabase.Postgres(connectionString);
        var positions = JournalPositions.Postgres(connectionString);
        var side = new ReadSide(system, connectionString, database, positions, options, async () =>
        {
            await database.DisposeAsync();
            await positions.DisposeAsync();
            // Akka.Persistence.Sql's connections stay idle in Npgsql's pool of this database's connection string: one
            // database per test would exhaust the server's max_connections otherwise.
            await using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        });
        return side;
    }

    /// <summary>Another instance of the bank projection on the same database (as after a restart of the host).</summary>
    public Projection NewProjection(ProjectionSettings? settings = null, ILoggingAdapter? log = null) =>
        BankReadModel.CreateProjection(System, ReadJournal, Database, settings ?? Options.Settings ?? ReadSideOptions.FastSettings, log ?? Options.Log);

    /// <summary>Waits (at most <paramref name="timeout"/>, default 10 s) until the read model has the event at <paramref name="offset"/>.</summary>
    public Task CaughtUpToAsync(long offset, TimeSpan? timeout = null) => CaughtUpToAsync(Projection, offset, timeout);

    /// <inheritdoc cref="CaughtUpToAsync(long, TimeSpan?)"/>
    public static async Task CaughtUpToAsync(Projection projection, long offset, TimeSpan? timeout = null)
    {
        Assert.True(await projection.WaitForOffsetAsync(offset, timeout ?? TimeSpan.FromSeconds(10)),
            $"The projection did not reach offset {offset}: {projection.Status}");
    }

    public async ValueTask DisposeAsync()
    {
        await Projection.DisposeAsync();
        await System.Terminate();
        await _cleanup();
    }

    /// <summary>
    /// Waits (asynchronously, patiently) for the write journal to create its tables: SqlReadJournal's constructor blocks
    /// on the same wait with a fixed 5 s timeout, which a cold start on a busy machine can exceed. A persistent actor's
    /// recovery is stashed by the journal until it has initialized.
    /// </summary>
    private static async Task WarmUpAsync(ActorSystem system)
    {
        var probe = system.ActorOf(AccountWriterActor.Props("warm-up"), "warm-up");
        await probe.Ask<AccountWriterActor.Written>(AccountWriterActor.Ping.Instance, TimeSpan.FromSeconds(60));
        system.Stop(probe);
    }

    private static ActorSystem CreateSystem(string connectionString, string provider, ReadSideOptions options)
    {
        var refresh = $"{(long)options.Refresh.TotalMilliseconds}ms";
        var config = ConfigurationFactory.ParseString(
            $$"""
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              persistence {
                journal {
                  plugin = "akka.persistence.journal.sql"
                  sql {
                    connection-string = "{{connectionString}}"
                    provider-name = "{{provider}}"
                    auto-initialize = true
                    tag-write-mode = TagTable
                  }
                }
                query.journal.sql {
                  connection-string = "{{connectionString}}"
                  provider-name = "{{provider}}"
                  refresh-interval = {{refresh}}
                  journal-sequence-retrieval {
                    query-delay = {{refresh}}
                    max-tries = {{options.GapMaxTries}}
                  }
                }
              }
            }
            """).WithFallback(SqlPersistence.DefaultConfiguration);
        return ActorSystem.Create("read-side-" + Guid.NewGuid().ToString("N")[..8], config);
    }
}
