using Actors.Core.Logging;
using Actors.Persistence.Journal;
using Actors.Persistence.Query.Projections;
using Actors.Persistence.Query;
using Actors.Persistence.Serialization;
using Actors.Persistence.Snapshots;
using Actors.Persistence.Sql.Postgres;
using Actors.Persistence.Sql.Sqlite;
using Actors.Persistence.Tck.Postgres;
using Bank.Actors;
using Microsoft.Data.Sqlite;

namespace Bank.ReadModels.Tests;

/// <summary>
/// A real journal (SQLite file or PostgreSQL schema), its read journal, and the bank read model in the same database,
/// as the host wires them. Fresh for each test.
/// </summary>
public sealed class ReadSide : IAsyncDisposable
{
    public static readonly ProjectionSettings FastSettings = new()
    {
        MinBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        ResubscribeInterval = TimeSpan.FromMilliseconds(50),
        ProgressLogInterval = TimeSpan.Zero,
    };

    private static readonly ReadJournalOptions QueryOptions = new() { PollInterval = TimeSpan.FromMilliseconds(200) };

    private readonly Func<ValueTask> _cleanup;

    private ReadSide(IJournal journal, ISnapshotStore snapshots, ReadJournal readJournal, ProjectionDatabase database, IEventSerializer serializer,
        Func<ValueTask> cleanup)
    {
        Journal = journal;
        Snapshots = snapshots;
        ReadJournal = readJournal;
        Database = database;
        Serializer = serializer;
        _cleanup = cleanup;
        Projection = BankReadModel.CreateProjection(readJournal, database, FastSettings);
        Queries = new BankReadModelQueries(database);
    }

    public IJournal Journal { get; }
    public ISnapshotStore Snapshots { get; }
    public ReadJournal ReadJournal { get; }
    public ProjectionDatabase Database { get; }
    public IEventSerializer Serializer { get; }
    public Projection Projection { get; }
    public BankReadModelQueries Queries { get; }

    public static IEventSerializer NewSerializer() => new JsonEventSerializer(BankEventTypes.Register(new EventTypeRegistry()));

    public static Task<ReadSide> SqliteAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "bank-read-model-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var options = new SqliteJournalOptions($"Data Source={Path.Combine(directory, "bank.db")}") { Synchronous = SqliteSynchronous.Normal };
        var serializer = NewSerializer();
        var journal = new SqliteJournal(options, serializer);
        var snapshots = new SqliteSnapshotStore(options, serializer);
        var readJournal = new SqliteReadJournal(journal, serializer, QueryOptions);
        var database = new SqliteProjectionDatabase(options);
        return Task.FromResult(new ReadSide(journal, snapshots, readJournal, database, serializer, async () =>
        {
            await readJournal.DisposeAsync();
            await journal.DisposeAsync();
            await database.DisposeAsync();
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory must not fail the test.
            }
        }));
    }

    public static async Task<ReadSide> PostgresAsync(PostgresServer server)
    {
        var options = new PostgresJournalOptions(await server.GetOrCreateDatabaseAsync(PostgresCollection.Database)) { Schema = $"b_{Guid.NewGuid():N}" };
        var serializer = NewSerializer();
        var journal = new PostgresJournal(options, serializer);
        var snapshots = new PostgresSnapshotStore(options, serializer);
        var readJournal = new PostgresReadJournal(journal, serializer, QueryOptions);
        var database = new PostgresProjectionDatabase(options);
        return new ReadSide(journal, snapshots, readJournal, database, serializer, async () =>
        {
            await readJournal.DisposeAsync();
            await journal.DisposeAsync();
            await snapshots.DisposeAsync();
            await database.DisposeAsync();
        });
    }

    /// <summary>Waits (at most <paramref name="timeout"/>, default 5 s) until the read model has every event up to <paramref name="offset"/>.</summary>
    public Task CaughtUpToAsync(long offset, TimeSpan? timeout = null) => CaughtUpToAsync(Projection, offset, timeout);

    /// <inheritdoc cref="CaughtUpToAsync(long, TimeSpan?)"/>
    public static async Task CaughtUpToAsync(Projection projection, long offset, TimeSpan? timeout = null)
    {
        Assert.True(await projection.WaitForOffsetAsync(offset, timeout ?? TimeSpan.FromSeconds(5)),
            $"The projection did not reach offset {offset}: {projection.Status}");
    }

    /// <summary>Another instance of the bank projection on the same database (as after a restart of the host).</summary>
    public Projection NewProjection(ProjectionSettings? settings = null, ILogSink? log = null) =>
        BankReadModel.CreateProjection(ReadJournal, Database, settings ?? FastSettings, log);

    /// <summary>Waits until the read model has everything the journal holds now.</summary>
    public async Task CaughtUpAsync() => await CaughtUpToAsync(await ReadJournal.HighestOffsetAsync());

    public async ValueTask DisposeAsync()
    {
        await Projection.DisposeAsync();
        await _cleanup();
    }
}
