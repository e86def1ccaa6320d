using System.Collections.Immutable;
using System.Data.Common;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.Sql;
using Akka.Serialization;
using Bank.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Actors.Journal.Tests;

[CollectionDefinition(PostgresCollection.Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

/// <summary>Which journal writes: ours (GroupCommitJournal) or Akka.Persistence.Sql's own.</summary>
public enum Writer
{
    GroupCommit,
    AkkaSql,
}

/// <summary>An event payload (Akka's default JSON serializer).</summary>
public sealed record Note(string Text);

/// <summary>A payload whose serializer always throws: the journal must reject the write, not fail it.</summary>
public sealed record Unserializable(string Text);

public sealed class FailingSerializer(ExtendedActorSystem system) : Serializer(system)
{
    public override int Identifier => 9901;
    public override bool IncludeManifest => false;
    public override byte[] ToBinary(object obj) => throw new InvalidOperationException("This payload cannot be serialized (on purpose).");
    public override object FromBinary(byte[] bytes, Type? type) => throw new InvalidOperationException("Never stored.");
}

/// <summary>A database for one test: a temp SQLite file or a fresh PostgreSQL database.</summary>
public abstract class TestDatabase : IAsyncDisposable
{
    public abstract string ConnectionString { get; }
    public abstract string OurProvider { get; }
    public abstract string StockProvider { get; }
    public abstract DbConnection Open();

    /// <summary>
    /// Takes the database's write lock from another connection, so every journal write waits (and queues) until the result
    /// is disposed. Reads go on (SQLite WAL; PostgreSQL's lock blocks inserts only).
    /// </summary>
    public abstract Task<IAsyncDisposable> HoldWritesAsync();

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<object?[]>> RowsAsync(string sql)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public Config JournalConfig(Writer writer, string extra = "") => Configs.Journal(writer, this, extra);

    public abstract ValueTask DisposeAsync();
}

public sealed class SqliteTestDatabase : TestDatabase
{
    public SqliteTestDatabase()
    {
        Directory = Path.Combine(Path.GetTempPath(), "actors-journal-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        FilePath = Path.Combine(Directory, "journal.db");
    }

    public string Directory { get; }
    public string FilePath { get; }
    public override string ConnectionString => $"Data Source={FilePath}";
    public override string OurProvider => "sqlite";
    public override string StockProvider => "SQLite.MS";

    public override DbConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={FilePath};Pooling=False");
        connection.Open();
        return connection;
    }

    public override Task<IAsyncDisposable> HoldWritesAsync()
    {
        var connection = (SqliteConnection)Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "BEGIN IMMEDIATE";
            command.ExecuteNonQuery();
        }
        return Task.FromResult<IAsyncDisposable>(new Release(async () =>
        {
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "COMMIT";
                await command.ExecuteNonQueryAsync();
            }
            await connection.DisposeAsync();
        }));
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return ValueTask.CompletedTask;
    }
}

public sealed class PostgresTestDatabase(string connectionString) : TestDatabase
{
    public static async Task<PostgresTestDatabase> CreateAsync(PostgresServer server) => new(await server.CreateDatabaseAsync());

    public override string ConnectionString => connectionString;
    public override string OurProvider => "postgres";
    public override string StockProvider => "PostgreSQL.15";

    public override DbConnection Open()
    {
        var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        return connection;
    }

    public override async Task<IAsyncDisposable> HoldWritesAsync()
    {
        var connection = (NpgsqlConnection)Open();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("LOCK TABLE journal IN SHARE ROW EXCLUSIVE MODE", connection, transaction))
            await command.ExecuteNonQueryAsync();
        return new Release(async () =>
        {
            await transaction.CommitAsync();
            await connection.DisposeAsync();
        });
    }

    public override ValueTask DisposeAsync()
    {
        // The fixture drops the databases; close this test's idle pooled connections (the stock plugin's included) now.
        NpgsqlConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}

internal sealed class Release(Func<Task> release) : IAsyncDisposable
{
    private int _done;
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) await release();
    }
}

public static class Configs
{
    public const string OurPluginId = GroupCommitJournal.PluginId;
    public const string StockPluginId = "akka.persistence.journal.sql";
    public const string StockQueryPluginId = "akka.persistence.query.journal.sql";

    public static string PluginId(Writer writer) => writer == Writer.GroupCommit ? OurPluginId : StockPluginId;

    public static Config Journal(Writer writer, TestDatabase db, string extra = "")
    {
        var connectionString = db.ConnectionString.Replace("\"", "\\\"", StringComparison.Ordinal);
        var hocon = $$"""
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            akka.actor.serializers.failing = "Actors.Journal.Tests.FailingSerializer, Actors.Journal.Tests"
            akka.actor.serialization-bindings { "Actors.Journal.Tests.Unserializable, Actors.Journal.Tests" = failing }
            akka.persistence.journal.plugin = "{{PluginId(writer)}}"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            akka.persistence.journal.group-commit {
              provider = {{db.OurProvider}}
              connection-string = "{{connectionString}}"
            }
            akka.persistence.journal.sql {
              provider-name = "{{db.StockProvider}}"
              connection-string = "{{connectionString}}"
              auto-initialize = on
            }
            akka.persistence.query.journal.sql {
              provider-name = "{{db.StockProvider}}"
              connection-string = "{{connectionString}}"
              write-plugin = "akka.persistence.journal.sql"
              refresh-interval = 100ms
              # Gaps in the ordering (deleted rows) are waited for max-tries x query-delay by the stock read journal.
              journal-sequence-retrieval { query-delay = 100ms, max-tries = 5 }
            }
            {{extra}}
            """;
        return ConfigurationFactory.ParseString(hocon)
            .WithFallback(GroupCommitJournal.DefaultConfiguration)
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }
}

/// <summary>Events and writes for the journal protocol.</summary>
public static class Events
{
    public static Persistent Event(string persistenceId, long sequenceNr, object? payload = null) =>
        new(payload ?? new Note($"{persistenceId}-{sequenceNr}"), sequenceNr, persistenceId, "", false, ActorRefs.NoSender, "test-writer");

    public static Persistent Tagged(string persistenceId, long sequenceNr, params string[] tags) =>
        Event(persistenceId, sequenceNr, new Tagged(new Note($"{persistenceId}-{sequenceNr}"), tags));

    /// <summary>One AtomicWrite of <paramref name="count"/> events from <paramref name="from"/> on.</summary>
    public static AtomicWrite Write(string persistenceId, long from, int count = 1) =>
        new(Enumerable.Range(0, count).Select(i => (IPersistentRepresentation)Event(persistenceId, from + i)).ToImmutableList());

    public static AtomicWrite Write(params IPersistentRepresentation[] events) => new(events.ToImmutableList());
}
