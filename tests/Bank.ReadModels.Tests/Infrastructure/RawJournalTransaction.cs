using Akka.Actor;
using Akka.Serialization;
using Npgsql;

namespace Bank.ReadModels.Tests.Infrastructure;

/// <summary>
/// A journal write transaction on a PostgreSQL connection of its own, driven step by step, so that a test can hold it
/// open while other writes commit: it inserts into Akka.Persistence.Sql's tables as its journal does (a journal row,
/// which draws its ordering from the identity at insert time, and one tags row per tag), the payload serialized with the
/// ActorSystem's serializer for the event.
/// </summary>
internal sealed class RawJournalTransaction : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private RawJournalTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public static async Task<RawJournalTransaction> BeginAsync(string connectionString)
    {
        // Not pooled: the test decides when the transaction ends, and a broken test must not leave it in a pool.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return new RawJournalTransaction(connection, await connection.BeginTransactionAsync());
    }

    /// <summary>Inserts one event (uncommitted until <see cref="CommitAsync"/>); returns its ordering.</summary>
    public async Task<long> InsertAsync(ActorSystem system, string persistenceId, long sequenceNr, object payload, params string[] tags)
    {
        var serializer = system.Serialization.FindSerializerFor(payload);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid)
            VALUES ($1, false, $2, $3, $4, $5, $6, 'raw-writer')
            RETURNING ordering
            """, _connection, _transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = DateTime.UtcNow.Ticks });
        command.Parameters.Add(new NpgsqlParameter { Value = persistenceId });
        command.Parameters.Add(new NpgsqlParameter { Value = sequenceNr });
        command.Parameters.Add(new NpgsqlParameter { Value = serializer.ToBinary(payload) });
        command.Parameters.Add(new NpgsqlParameter { Value = Serialization.ManifestFor(serializer, payload) });
        command.Parameters.Add(new NpgsqlParameter { Value = serializer.Identifier });
        var ordering = (long)(await command.ExecuteScalarAsync())!;
        foreach (var tag in tags)
        {
            await using var tagCommand = new NpgsqlCommand(
                "INSERT INTO tags (ordering_id, tag, sequence_nr, persistence_id) VALUES ($1, $2, $3, $4)", _connection, _transaction);
            tagCommand.Parameters.Add(new NpgsqlParameter { Value = ordering });
            tagCommand.Parameters.Add(new NpgsqlParameter { Value = tag });
            tagCommand.Parameters.Add(new NpgsqlParameter { Value = sequenceNr });
            tagCommand.Parameters.Add(new NpgsqlParameter { Value = persistenceId });
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
