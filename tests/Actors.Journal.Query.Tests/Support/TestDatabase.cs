using System.Data;
using Akka.Actor;
using Akka.Serialization;
using Akka.Util;
using Bank.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Journal.Query.Tests.Support;

/// <summary>One event as the stock journal stores it, for writing rows without a persistent actor.</summary>
public sealed record RawEvent(string PersistenceId, long SequenceNr, object Payload, params string[] Tags);

/// <summary>A throwaway database with Akka.Persistence.Sql's schema, and a raw writer of its rows.</summary>
public abstract class TestDatabase
{
    /// <summary>The linq2db provider name for Akka.Persistence.Sql.</summary>
    public abstract string Linq2DbProvider { get; }

    /// <summary>The fast-sql provider name.</summary>
    public abstract string Provider { get; }

    public abstract string ConnectionString { get; }

    /// <summary>Inserts the events in one transaction, payloads serialized as the stock journal does; returns their orderings.</summary>
    public abstract Task<long[]> InsertAsync(ActorSystem system, IReadOnlyList<RawEvent> events);

    public static (byte[] Bytes, int SerializerId, string Manifest) Serialize(ActorSystem system, object payload)
    {
        var serializer = system.Serialization.FindSerializerFor(payload);
        var manifest = serializer switch
        {
            SerializerWithStringManifest withManifest => withManifest.Manifest(payload),
            { IncludeManifest: true } => payload.GetType().TypeQualifiedName(),
            _ => "",
        };
        return (serializer.ToBinary(payload), serializer.Identifier, manifest);
    }
}

public sealed class SqliteTestDatabase : TestDatabase, IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"fast-sql-{Guid.NewGuid():N}.db");

    public SqliteTestDatabase()
    {
        // WAL as the host runs it (readers and the writer do not block each other); the stock journal creates the tables.
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }

    public override string Linq2DbProvider => "SQLite.MS";

    public override string Provider => "sqlite";

    public override string ConnectionString => $"Data Source={_path}";

    public override Task<long[]> InsertAsync(ActorSystem system, IReadOnlyList<RawEvent> events)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var journal = connection.CreateCommand();
        journal.CommandText =
            "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) " +
            "VALUES ($created, 0, $pid, $seq, $message, $manifest, $identifier, 'raw') RETURNING ordering";
        var created = journal.Parameters.Add("$created", SqliteType.Integer);
        var pid = journal.Parameters.Add("$pid", SqliteType.Text);
        var seq = journal.Parameters.Add("$seq", SqliteType.Integer);
        var message = journal.Parameters.Add("$message", SqliteType.Blob);
        var manifest = journal.Parameters.Add("$manifest", SqliteType.Text);
        var identifier = journal.Parameters.Add("$identifier", SqliteType.Integer);
        using var tags = connection.CreateCommand();
        tags.CommandText = "INSERT INTO tags (ordering_id, tag, sequence_nr, persistence_id) VALUES ($ordering, $tag, $seq, $pid)";
        var tagOrdering = tags.Parameters.Add("$ordering", SqliteType.Integer);
        var tag = tags.Parameters.Add("$tag", SqliteType.Text);
        var tagSeq = tags.Parameters.Add("$seq", SqliteType.Integer);
        var tagPid = tags.Parameters.Add("$pid", SqliteType.Text);
        journal.Prepare();
        tags.Prepare();

        var orderings = new long[events.Count];
        var now = DateTime.UtcNow.Ticks;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var (bytes, id, man) = Serialize(system, e.Payload);
            (created.Value, pid.Value, seq.Value, message.Value, manifest.Value, identifier.Value) = (now, e.PersistenceId, e.SequenceNr, bytes, man, id);
            orderings[i] = (long)journal.ExecuteScalar()!;
            foreach (var t in e.Tags)
            {
                (tagOrdering.Value, tag.Value, tagSeq.Value, tagPid.Value) = (orderings[i], t, e.SequenceNr, e.PersistenceId);
                tags.ExecuteNonQuery();
            }
        }
        transaction.Commit();
        return Task.FromResult(orderings);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            if (Environment.GetEnvironmentVariable("KEEP_DB") is null) try { File.Delete(_path + suffix); } catch (IOException) { }
        }
    }
}

public sealed class PostgresTestDatabase(string connectionString) : TestDatabase
{
    public static PostgresTestDatabase Create(PostgresServer server) => new(server.CreateDatabaseAsync().GetAwaiter().GetResult());

    public override string Linq2DbProvider => "PostgreSQL.15";

    public override string Provider => "postgres";

    public override string ConnectionString { get; } = connectionString;

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Inserts the events (journal rows, then their tag rows) in <paramref name="transaction"/>; returns their orderings.</summary>
    public static async Task<long[]> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ActorSystem system, IReadOnlyList<RawEvent> events)
    {
        var orderings = new long[events.Count];
        var now = DateTime.UtcNow.Ticks;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var (bytes, id, manifest) = Serialize(system, e.Payload);
            await using (var journal = new NpgsqlCommand(
                "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) " +
                "VALUES ($1, false, $2, $3, $4, $5, $6, 'raw') RETURNING ordering", connection, transaction))
            {
                journal.Parameters.Add(new NpgsqlParameter { Value = now });
                journal.Parameters.Add(new NpgsqlParameter { Value = e.PersistenceId });
                journal.Parameters.Add(new NpgsqlParameter { Value = e.SequenceNr });
                journal.Parameters.Add(new NpgsqlParameter { Value = bytes });
                journal.Parameters.Add(new NpgsqlParameter { Value = manifest });
                journal.Parameters.Add(new NpgsqlParameter { Value = id });
                orderings[i] = (long)(await journal.ExecuteScalarAsync())!;
            }
            foreach (var tag in e.Tags)
            {
                await using var tags = new NpgsqlCommand(
                    "INSERT INTO tags (ordering_id, tag, sequence_nr, persistence_id) VALUES ($1, $2, $3, $4)", connection, transaction);
                tags.Parameters.Add(new NpgsqlParameter { Value = orderings[i] });
                tags.Parameters.Add(new NpgsqlParameter { Value = tag });
                tags.Parameters.Add(new NpgsqlParameter { Value = e.SequenceNr });
                tags.Parameters.Add(new NpgsqlParameter { Value = e.PersistenceId });
                await tags.ExecuteNonQueryAsync();
            }
        }
        return orderings;
    }

    /// <summary>Bulk: one INSERT ... SELECT FROM unnest for the journal rows, one for the tag rows.</summary>
    public override async Task<long[]> InsertAsync(ActorSystem system, IReadOnlyList<RawEvent> events)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var now = DateTime.UtcNow.Ticks;
        var pids = new string[events.Count];
        var seqs = new long[events.Count];
        var messages = new byte[events.Count][];
        var manifests = new string[events.Count];
        var ids = new int[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var (bytes, id, manifest) = Serialize(system, events[i].Payload);
            (pids[i], seqs[i], messages[i], manifests[i], ids[i]) = (events[i].PersistenceId, events[i].SequenceNr, bytes, manifest, id);
        }
        var orderings = new long[events.Count];
        await using (var journal = new NpgsqlCommand(
            """
            INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid)
            SELECT $1, false, p, s, m, f, i, 'raw' FROM unnest($2::text[], $3::bigint[], $4::bytea[], $5::text[], $6::int[]) WITH ORDINALITY AS u(p, s, m, f, i, n)
            ORDER BY n
            RETURNING ordering
            """, connection, transaction))
        {
            journal.Parameters.Add(new NpgsqlParameter { Value = now });
            journal.Parameters.Add(new NpgsqlParameter { Value = pids });
            journal.Parameters.Add(new NpgsqlParameter { Value = seqs });
            journal.Parameters.Add(new NpgsqlParameter { Value = messages, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            journal.Parameters.Add(new NpgsqlParameter { Value = manifests });
            journal.Parameters.Add(new NpgsqlParameter { Value = ids });
            await using var reader = await journal.ExecuteReaderAsync();
            var i = 0;
            while (await reader.ReadAsync()) orderings[i++] = reader.GetInt64(0);
        }
        Array.Sort(orderings);
        var tagOrderings = new List<long>();
        var tagValues = new List<string>();
        var tagSeqs = new List<long>();
        var tagPids = new List<string>();
        for (var i = 0; i < events.Count; i++)
        {
            foreach (var tag in events[i].Tags)
            {
                tagOrderings.Add(orderings[i]);
                tagValues.Add(tag);
                tagSeqs.Add(events[i].SequenceNr);
                tagPids.Add(events[i].PersistenceId);
            }
        }
        await using (var tags = new NpgsqlCommand(
            "INSERT INTO tags (ordering_id, tag, sequence_nr, persistence_id) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[])",
            connection, transaction))
        {
            tags.Parameters.Add(new NpgsqlParameter { Value = tagOrderings.ToArray() });
            tags.Parameters.Add(new NpgsqlParameter { Value = tagValues.ToArray() });
            tags.Parameters.Add(new NpgsqlParameter { Value = tagSeqs.ToArray() });
            tags.Parameters.Add(new NpgsqlParameter { Value = tagPids.ToArray() });
            await tags.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        return orderings;
    }
}
