using Actors.Persistence.Serialization;
using Actors.Persistence.Tck;
using Npgsql;

namespace Actors.Persistence.Query.Tests;

/// <summary>
/// A journal write transaction on a connection of its own, driven step by step, so that a test can hold it open while
/// others commit. It writes the way PostgresJournal does: it takes its xid first (<c>SELECT pg_current_xact_id()</c>),
/// then inserts the event with that xid in tx_id (drawing the ordering from the identity) and its tag rows.
/// </summary>
internal sealed class RawJournalTransaction : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly string _journal;
    private readonly string _eventTag;

    private RawJournalTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema)
    {
        _connection = connection;
        _transaction = transaction;
        var quoted = "\"" + schema.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        _journal = quoted + ".journal";
        _eventTag = quoted + ".event_tag";
    }

    /// <summary>The transaction's xid, taken before anything else.</summary>
    public ulong Xid { get; private set; }

    /// <summary>Opens a connection, begins a transaction and takes its xid (the journal's first statement).</summary>
    public static async Task<RawJournalTransaction> BeginAsync(string connectionString, string schema)
    {
        // Not pooled: the test decides when the transaction ends, and a broken test must not leave it in a pool.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        var raw = new RawJournalTransaction(connection, transaction, schema);
        await using var command = new NpgsqlCommand("SELECT pg_current_xact_id()::text", connection, transaction);
        raw.Xid = ulong.Parse((string)(await command.ExecuteScalarAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        return raw;
    }

    /// <summary>Inserts one event (uncommitted); returns its ordering.</summary>
    public async Task<long> InsertAsync(IEventSerializer serializer, string persistenceId, long sequenceNr, params string[] tags)
    {
        var payload = serializer.Serialize(new TckEvent($"{persistenceId}-{sequenceNr}", (int)sequenceNr));
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO {_journal} (tx_id, persistence_id, sequence_nr, writer_id, manifest, payload, timestamp, tags)
            VALUES (pg_current_xact_id(), $1, $2, 'raw-writer', $3, $4, $5, $6)
            RETURNING ordering
            """, _connection, _transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = persistenceId });
        command.Parameters.Add(new NpgsqlParameter { Value = sequenceNr });
        command.Parameters.Add(new NpgsqlParameter { Value = payload.Manifest });
        command.Parameters.Add(new NpgsqlParameter { Value = payload.Bytes });
        command.Parameters.Add(new NpgsqlParameter { Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = tags.Length == 0 ? DBNull.Value : System.Text.Json.JsonSerializer.Serialize(tags),
            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text,
        });
        var ordering = (long)(await command.ExecuteScalarAsync())!;

        foreach (var tag in tags)
        {
            await using var tagCommand = new NpgsqlCommand(
                $"INSERT INTO {_eventTag} (tag, ordering, persistence_id, sequence_nr) VALUES ($1, $2, $3, $4)", _connection, _transaction);
            tagCommand.Parameters.Add(new NpgsqlParameter { Value = tag });
            tagCommand.Parameters.Add(new NpgsqlParameter { Value = ordering });
            tagCommand.Parameters.Add(new NpgsqlParameter { Value = persistenceId });
            tagCommand.Parameters.Add(new NpgsqlParameter { Value = sequenceNr });
            await tagCommand.ExecuteNonQueryAsync();
        }
        return ordering;
    }

    public Task CommitAsync() => _transaction.CommitAsync();

    public Task RollbackAsync() => _transaction.RollbackAsync();

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
