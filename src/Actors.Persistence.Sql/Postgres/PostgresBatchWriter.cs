using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Batching;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Persistence.Sql.Postgres;

/// <summary>
/// Writes a batch in one transaction. Big batches (at least <c>CopyThreshold</c> events) go by binary COPY into the
/// journal and tag tables (<see cref="PostgresCopyWriter"/>). Small ones take one round trip before the commit: an
/// <see cref="NpgsqlBatch"/> of <c>SELECT pg_current_xact_id()</c> (always first, see the tx_id column in
/// Scripts/postgres.sql) and a single INSERT of all events from arrays (unnest), whose RETURNING gives each write its
/// ordering and whose second CTE inserts the event_tag rows with those orderings. Arrays keep the statement text fixed
/// whatever the batch size.
/// <para>
/// When a write of the batch breaks the batch (23505: a sequence number is taken; a deadlock with another writer;
/// a data error such as a NUL in a text), the transaction is rolled back and the writes are retried one by one,
/// each in its own transaction, so only the offending write fails. Any other error (e.g. a broken connection)
/// fails the whole batch.
/// </para>
/// Safe for concurrent use by several batcher lanes: each batch takes its own pooled connection.
/// </summary>
internal sealed class PostgresBatchWriter : IBatchWriter
{
    private readonly PostgresDatabase _database;
    private readonly int _copyThreshold;
    private readonly string _insert;
    private readonly string _insertWithTags;
    private readonly PostgresCopyWriter _copy;

    public PostgresBatchWriter(PostgresDatabase database, int copyThreshold)
    {
        _database = database;
        _copyThreshold = copyThreshold;
        _copy = new PostgresCopyWriter(database);
        const string insertEvents =
            """
            INSERT INTO {0} (tx_id, persistence_id, sequence_nr, writer_id, manifest, payload, timestamp, tags)
              SELECT pg_current_xact_id(), e.persistence_id, e.sequence_nr, e.writer_id, e.manifest, e.payload, e.ts, e.tags
              FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bytea[], $6::bigint[], $7::text[])
                   WITH ORDINALITY AS e(persistence_id, sequence_nr, writer_id, manifest, payload, ts, tags, n)
              ORDER BY e.n
              RETURNING ordering, persistence_id, sequence_nr
            """;
        var events = string.Format(System.Globalization.CultureInfo.InvariantCulture, insertEvents, database.Journal);
        _insert = events;
        _insertWithTags =
            $"""
            WITH ins AS (
            {events}
            ), tagged AS (
              INSERT INTO {database.EventTag} (tag, ordering, persistence_id, sequence_nr)
              SELECT g.tag, ins.ordering, ins.persistence_id, ins.sequence_nr
              FROM unnest($8::text[], $9::bigint[], $10::text[]) AS g(persistence_id, sequence_nr, tag)
              JOIN ins ON ins.persistence_id = g.persistence_id AND ins.sequence_nr = g.sequence_nr
            )
            SELECT ordering, persistence_id, sequence_nr FROM ins
            """;
    }

    public async Task<int> WriteAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        await _database.Initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var orderings = await WriteInOneTransactionAsync(writes, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < writes.Count; i++) writes[i].Outcome = new WriteResult.Stored(orderings[i]);
            return 1;
        }
        catch (PostgresException e) when (IsCausedByOneWrite(e))
        {
            // Rolled back (the transaction was disposed); find the write(s) to blame.
        }
        return await WriteOneByOneAsync(writes, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsCausedByOneWrite(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
        || IsDataError(e);

    // Class 22 (data exception), e.g. 22021 for a NUL character in a text: that write can never be stored.
    private static bool IsDataError(PostgresException e) => e.SqlState.StartsWith("22", StringComparison.Ordinal);

    private async Task<int> WriteOneByOneAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        var committed = 0;
        HashSet<string>? failedIds = null;
        foreach (var write in writes)
        {
            if (failedIds is not null && failedIds.Contains(write.PersistenceId))
            {
                write.Outcome = PendingWrite.AfterEarlierFailure(write.PersistenceId);
                continue;
            }
            try
            {
                var orderings = await WriteInOneTransactionAsync([write], cancellationToken).ConfigureAwait(false);
                write.Outcome = new WriteResult.Stored(orderings[0]);
                committed++;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                write.Outcome = new WriteResult.Failed(write.Duplicate(e));
            }
            catch (PostgresException e) when (IsDataError(e))
            {
                write.Outcome = new WriteResult.Rejected(e);
            }
            catch (PostgresException e) when (IsCausedByOneWrite(e))
            {
                write.Outcome = new WriteResult.Failed(e);
            }
            // Anything else (connection lost) propagates: the batcher fails the writes still undecided.
            if (write.Outcome is not WriteResult.Stored) (failedIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(write.PersistenceId);
        }
        return committed;
    }

    /// <summary>
    /// Writes all events in one transaction; returns each write's highest ordering. Throws on any failure (rolled back).
    /// Batches of at least CopyThreshold events go by binary COPY, smaller ones (and the one-by-one retries) by one
    /// INSERT from arrays, which needs fewer round trips.
    /// </summary>
    private Task<long[]> WriteInOneTransactionAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        var events = 0;
        foreach (var write in writes) events += write.Events.Length;
        return events >= _copyThreshold
            ? _copy.WriteAsync(writes, events, cancellationToken)
            : InsertInOneTransactionAsync(writes, cancellationToken);
    }

    private async Task<long[]> InsertInOneTransactionAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        // First statement of every journal write transaction: own an xid before drawing any ordering value.
        // Orderings come from a sequence, outside of transaction visibility, and concurrent batches (other lanes,
        // other nodes) commit in any order, so readers can see gaps. A reader that sees a gap takes an xid of its
        // own and waits until no lower xid is in progress: a writer holding the missing ordering already had its xid
        // then, so it is lower and the wait covers it. A writer that drew the ordering first and got its xid later
        // could get a higher xid than the reader's, and its rows would appear behind a reader that had already moved
        // past the gap. The same xid is stored in tx_id on every row. (GapTracker in Actors.Persistence.Query.)
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_current_xact_id()"));
        batch.BatchCommands.Add(BuildInsert(writes));

        var lastEventOf = new Dictionary<(string PersistenceId, long SequenceNr), int>(writes.Count);
        for (var i = 0; i < writes.Count; i++) lastEventOf[(writes[i].PersistenceId, writes[i].HighestSequenceNr)] = i;

        var orderings = new long[writes.Count];
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the xid
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (lastEventOf.TryGetValue((reader.GetString(1), reader.GetInt64(2)), out var i))
                    orderings[i] = reader.GetInt64(0);
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return orderings;
    }

    private NpgsqlBatchCommand BuildInsert(IReadOnlyList<PendingWrite> writes)
    {
        var count = 0;
        var tagCount = 0;
        foreach (var write in writes)
        {
            count += write.Events.Length;
            foreach (var e in write.Events) tagCount += e.Tags.Length;
        }

        var persistenceIds = new string[count];
        var sequenceNrs = new long[count];
        var writerIds = new string[count];
        var manifests = new string[count];
        var payloads = new byte[count][];
        var timestamps = new long[count];
        var tagsJson = new string?[count];
        var tagPersistenceIds = new string[tagCount];
        var tagSequenceNrs = new long[tagCount];
        var tags = new string[tagCount];

        var n = 0;
        var t = 0;
        foreach (var write in writes)
        {
            foreach (var e in write.Events)
            {
                persistenceIds[n] = e.PersistenceId;
                sequenceNrs[n] = e.SequenceNr;
                writerIds[n] = e.WriterId;
                manifests[n] = e.Manifest;
                payloads[n] = e.Payload;
                timestamps[n] = e.Timestamp;
                tagsJson[n] = e.TagsJson;
                n++;
                foreach (var tag in e.Tags)
                {
                    tagPersistenceIds[t] = e.PersistenceId;
                    tagSequenceNrs[t] = e.SequenceNr;
                    tags[t] = tag;
                    t++;
                }
            }
        }

        var command = new NpgsqlBatchCommand(tagCount > 0 ? _insertWithTags : _insert);
        command.Parameters.Add(new NpgsqlParameter { Value = persistenceIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = sequenceNrs, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = writerIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = manifests, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = timestamps, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = tagsJson, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        if (tagCount > 0)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tagPersistenceIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = tagSequenceNrs, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = tags, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        }
        return command;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
