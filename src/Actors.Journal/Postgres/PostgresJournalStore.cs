using Akka.Persistence;
using Actors.Journal.Batching;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Journal.Postgres;

/// <summary>The journal on one PostgreSQL database: a data source shared by the write lanes, replay, reads and deletes.</summary>
internal sealed class PostgresJournalStore : IJournalStore
{
    private readonly JournalSettings _settings;
    private readonly AsyncInitializer _initializer;
    private readonly PostgresBatchWriter _writer;

    public PostgresJournalStore(JournalSettings settings)
    {
        _settings = settings;
        DataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        _initializer = new AsyncInitializer(InitializeAsync);
        _writer = new PostgresBatchWriter(this, settings.PostgresCopyThreshold);
    }

    public NpgsqlDataSource DataSource { get; }

    public IBatchWriter Writer => _writer;

    public Task EnsureInitializedAsync(CancellationToken cancellationToken) => _initializer.EnsureAsync(cancellationToken);

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (!_settings.AutoInitialize) return;
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = PostgresSchema.LockKey });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var command = new NpgsqlCommand(PostgresSchema.Create, connection, transaction))
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        return await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        JournalRowSerializer serializer, Action<IPersistentRepresentation> callback, CancellationToken cancellationToken)
    {
        if (max <= 0 || toSequenceNr < fromSequenceNr) return;
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT sequence_number, message, manifest, identifier, writer_uuid, created FROM journal " +
            "WHERE persistence_id = $1 AND sequence_number >= $2 AND sequence_number <= $3 AND deleted = false " +
            "ORDER BY sequence_number LIMIT $4", connection);
        var pid = new NpgsqlParameter<string>{ TypedValue = persistenceId, NpgsqlDbType = NpgsqlDbType.Text };
        var from = new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint };
        var to = new NpgsqlParameter<long> { TypedValue = toSequenceNr, NpgsqlDbType = NpgsqlDbType.Bigint };
        var limit = new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint };
        command.Parameters.Add(pid);
        command.Parameters.Add(from);
        command.Parameters.Add(to);
        command.Parameters.Add(limit);
        // Prepared once per physical connection (Npgsql keeps it across pool rentals): no parse and plan per page.
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);

        var next = Math.Max(1, fromSequenceNr);
        var left = max;
        while (left > 0 && next <= toSequenceNr)
        {
            var page = Math.Min(_settings.ReplayBatchSize, left);
            from.TypedValue = next;
            limit.TypedValue = page;
            var read = 0;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var repr = serializer.DeserializeReplayRow(persistenceId, reader);
                    callback(repr);
                    next = repr.SequenceNr + 1;
                    read++;
                }
            }
            left -= read;
            if (read < page) break;
        }
    }

    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT max(sequence_number) FROM journal WHERE persistence_id = $1 AND sequence_number > $2", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromSequenceNr, NpgsqlDbType = NpgsqlDbType.Bigint });
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is long highest ? highest : 0;
    }

    public async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            foreach (var sql in JournalSql.DeleteSteps("journal", "tags", "true", "$1", "$2"))
            {
                var command = new NpgsqlBatchCommand(sql);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId, NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toSequenceNr, NpgsqlDbType = NpgsqlDbType.Bigint });
                batch.BatchCommands.Add(command);
            }
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        await DataSource.DisposeAsync().ConfigureAwait(false);
    }
}
