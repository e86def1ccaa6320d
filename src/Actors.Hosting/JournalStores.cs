using Actors.Persistence.InMemory;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Snapshots;
using Actors.Persistence.Sql.Postgres;
using Actors.Persistence.Sql.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Actors.Hosting;

/// <summary>The journal and snapshot store picked by <c>actors.persistence.journal.provider</c>, with what it takes to start and stop them.</summary>
public sealed class JournalStores(string provider, IJournal journal, ISnapshotStore snapshotStore, Func<CancellationToken, Task> initialize) : IAsyncDisposable
{
    public string Provider { get; } = provider;
    public IJournal Journal { get; } = journal;
    public ISnapshotStore SnapshotStore { get; } = snapshotStore;

    public Task InitializeAsync(CancellationToken cancellationToken) => initialize(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Journal is IAsyncDisposable journal) await journal.DisposeAsync().ConfigureAwait(false);
        if (SnapshotStore is IAsyncDisposable snapshots) await snapshots.DisposeAsync().ConfigureAwait(false);
    }

    public static JournalStores FromConfiguration(IConfiguration configuration, IEventSerializer serializer, string writerId)
    {
        const string root = "actors:persistence";
        var provider = configuration.GetString($"{root}:journal:provider", "sqlite").ToLowerInvariant();
        switch (provider)
        {
            case "sqlite":
            {
                var section = $"{root}:sqlite";
                var options = new SqliteJournalOptions(configuration.GetString($"{section}:connection-string", "Data Source=./data/bank.db"))
                {
                    AutoInitialize = configuration.GetBool($"{section}:auto-initialize", true),
                    Synchronous = Enum.Parse<SqliteSynchronous>(configuration.GetString($"{section}:synchronous", "full"), ignoreCase: true),
                    MaxBatchSize = configuration.GetInt($"{section}:max-batch-size", 1000),
                    MaxBufferedWrites = configuration.GetInt($"{section}:max-buffered-writes", 20000),
                    WriterId = writerId,
                };
                var journal = new SqliteJournal(options, serializer);
                var snapshots = new SqliteSnapshotStore(options, serializer);
                return new JournalStores(provider, journal, snapshots, async ct =>
                {
                    if (!options.AutoInitialize) return;
                    await journal.InitializeAsync(ct).ConfigureAwait(false);
                    await snapshots.InitializeAsync(ct).ConfigureAwait(false);
                });
            }
            case "postgres" or "postgresql":
            {
                var section = $"{root}:postgres";
                var options = new PostgresJournalOptions(configuration.GetString($"{section}:connection-string", ""))
                {
                    Schema = configuration.GetString($"{section}:schema", "public"),
                    AutoInitialize = configuration.GetBool($"{section}:auto-initialize", true),
                    MaxBatchSize = configuration.GetInt($"{section}:max-batch-size", 1000),
                    MaxBufferedWrites = configuration.GetInt($"{section}:max-buffered-writes", 20000),
                    WriteParallelism = configuration.GetInt($"{section}:write-parallelism", 2),
                    WriterId = writerId,
                };
                var journal = new PostgresJournal(options, serializer);
                var snapshots = new PostgresSnapshotStore(options, serializer);
                return new JournalStores(provider, journal, snapshots, async ct =>
                {
                    if (!options.AutoInitialize) return;
                    await journal.InitializeAsync(ct).ConfigureAwait(false);
                    await snapshots.InitializeAsync(ct).ConfigureAwait(false);
                });
            }
            case "inmemory" or "in-memory":
                return new JournalStores(provider, new InMemoryJournal(serializer), new InMemorySnapshotStore(serializer), _ => Task.CompletedTask);
            default:
                throw new InvalidOperationException($"Configuration key '{root}:journal:provider' is '{provider}'; expected sqlite, postgres or inmemory.");
        }
    }
}
