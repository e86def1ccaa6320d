using Actors.Journal.Batching;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Journal.Postgres;

/// <summary>
/// Writes a batch in one transaction. Big batches (at least copy-threshold events) go by binary COPY into journal and tags
/// (<see cref="PostgresCopyWriter"/>); smaller ones take one round trip before the commit: <c>SELECT pg_current_xact_id()</c>
/// (the transaction owns its xid before it draws any ordering: a gap-aware reader can wait for every transaction older than
/// its own) and one INSERT of all events from arrays (unnest) whose RETURNING gives each event its ordering and whose second
/// CTE inserts the tag rows with those orderings.
/// <para>
/// A duplicate (persistence_id, sequence_number) fails the whole statement (23505) and rolls the transaction back: the
/// writer then asks which of the batch's keys are already stored, fails exactly those writes (and any later write of the
/// same persistence id in the batch, which would leave a gap) and writes the rest again in one transaction. When it cannot
/// tell (a duplicate inside the batch itself, a race), or for a data error (class 22, e.g. a NUL in a text: Rejected) or a
/// deadlock, it writes the writes one by one, each in its own transaction. Any other error (a broken connection) fails the
/// whole batch. Safe for concurrent use by several lanes: each batch takes its own pooled connection.
/// </para>
/// </summary>
internal sealed class PostgresBatchWriter(PostgresJournalStore store, int copyThreshold) : IBatchWriter
{
    private const string InsertEvents =
        """
        INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid)
          SELECT e.created, false, e.persistence_id, e.sequence_number, e.message, e.manifest, e.identifier, e.writer_uuid
          FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bytea[], $5::text[], $6::integer[], $7::text[])
               WITH ORDINALITY AS e(created, persistence_id, sequence_number, message, manifest, identifier, writer_uuid, n)
          ORDER BY e.n
          RETURNING ordering, persistence_id, sequence_number
        """;

    private const string InsertEventsAndTags =
        $"""
        WITH ins AS (
        {InsertEvents}
        ), tagged AS (
          INSERT INTO tags (ordering_id, tag, sequence_nr, persistence_id)
          SELECT ins.ordering, g.tag, ins.sequence_number, ins.persistence_id
          FROM unnest($8::text[], $9::bigint[], $10::text[]) AS g(persistence_id, sequence_number, tag)
          JOIN ins ON ins.persistence_id = g.persistence_id AND ins.sequence_number = g.sequence_number
        )
        SELECT ordering, persistence_id, sequence_number FROM ins
        """;

    private const string ExistingKeys =
        """
        SELECT j.persistence_id, j.sequence_number FROM journal j
        JOIN unnest($1::text[], $2::bigint[]) AS k(persistence_id, sequence_number)
          ON j.persistence_id = k.persistence_id AND j.sequence_number = k.sequence_number
        """;

    private readonly PostgresCopyWriter _copy = new(store);

    public async Task<int> WriteAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        await store.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var remaining = writes;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                var orderings = await WriteInOneTransactionAsync(remaining, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < remaining.Count; i++) remaining[i].Outcome = new WriteResult.Stored(orderings[i]);
                return 1;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // Rolled back; find the writes to blame, fail them, write the others again.
                var next = await BlameDuplicatesAsync(remaining, e, cancellationToken).ConfigureAwait(false);
                if (next is null) break;
                if (next.Count == 0) return 0;
                remaining = next;
            }
            catch (PostgresException e) when (IsCausedByOneWrite(e))
            {
                break;
            }
        }
        return await WriteOneByOneAsync(remaining, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fails the writes with a key that is already stored, and the later writes of their persistence ids; returns the writes
    /// still to write, or null when no stored key explains the violation.
    /// </summary>
    private async Task<List<PendingWrite>?> BlameDuplicatesAsync(IReadOnlyList<PendingWrite> writes, PostgresException cause, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var write in writes) count += write.Events.Length;
        var ids = new string[count];
        var seqs = new long[count];
        var n = 0;
        foreach (var write in writes)
            foreach (var e in write.Events) (ids[n], seqs[n++]) = (e.PersistenceId, e.SequenceNr);

        var existing = new HashSet<(string, long)>();
        await using (var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var command = new NpgsqlCommand(ExistingKeys, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = seqs, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) existing.Add((reader.GetString(0), reader.GetInt64(1)));
        }
        if (existing.Count == 0) return null;

        var failedIds = new HashSet<string>(StringComparer.Ordinal);
        var rest = new List<PendingWrite>(writes.Count);
        foreach (var write in writes)
        {
            if (failedIds.Contains(write.PersistenceId))
            {
                write.Outcome = PendingWrite.AfterEarlierFailure(write.PersistenceId);
                continue;
            }
            var duplicate = false;
            foreach (var e in write.Events) duplicate |= existing.Contains((e.PersistenceId, e.SequenceNr));
            if (duplicate)
            {
                write.Outcome = write.Duplicate(cause);
                failedIds.Add(write.PersistenceId);
            }
            else
            {
                rest.Add(write);
            }
        }
        return rest;
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
                var orderings = await InsertInOneTransactionAsync([write], cancellationToken).ConfigureAwait(false);
                write.Outcome = new WriteResult.Stored(orderings[0]);
                committed++;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                write.Outcome = write.Duplicate(e);
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

    /// <summary>Writes all events in one transaction; returns the ordering of each write's last event. Throws on any failure (rolled back).</summary>
    private Task<long[]> WriteInOneTransactionAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        var events = 0;
        foreach (var write in writes) events += write.Events.Length;
        return events >= copyThreshold
            ? _copy.WriteAsync(writes, events, cancellationToken)
            : InsertInOneTransactionAsync(writes, cancellationToken);
    }

    private async Task<long[]> InsertInOneTransactionAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_current_xact_id()"));
        batch.BatchCommands.Add(BuildInsert(writes));

        // Each write's answer carries its last event's ordering (the tag rows get theirs in SQL). RETURNING's row order
        // is unspecified: rows are matched to writes by persistence id and sequence number.
        var lastEvents = new Dictionary<(string PersistenceId, long SequenceNr), int>(writes.Count);
        for (var i = 0; i < writes.Count; i++) lastEvents[(writes[i].PersistenceId, writes[i].HighestSequenceNr)] = i;
        var orderings = new long[writes.Count];
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the xid
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                if (lastEvents.TryGetValue((reader.GetString(1), reader.GetInt64(2)), out var write))
                    orderings[write] = reader.GetInt64(0);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return orderings;
    }

    private static NpgsqlBatchCommand BuildInsert(IReadOnlyList<PendingWrite> writes)
    {
        var count = 0;
        var tagCount = 0;
        foreach (var write in writes)
        {
            count += write.Events.Length;
            foreach (var e in write.Events) tagCount += e.Tags.Length;
        }

        var created = new long[count];
        var persistenceIds = new string[count];
        var sequenceNrs = new long[count];
        var messages = new byte[count][];
        var manifests = new string[count];
        var identifiers = new int[count];
        var writerUuids = new string?[count];
        var tagPersistenceIds = new string[tagCount];
        var tagSequenceNrs = new long[tagCount];
        var tags = new string[tagCount];

        var n = 0;
        var t = 0;
        foreach (var write in writes)
        {
            foreach (var e in write.Events)
            {
                created[n] = e.Created;
                persistenceIds[n] = e.PersistenceId;
                sequenceNrs[n] = e.SequenceNr;
                messages[n] = e.Message;
                manifests[n] = e.Manifest;
                identifiers[n] = e.Identifier;
                writerUuids[n] = e.WriterUuid;
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

        var command = new NpgsqlBatchCommand(tagCount > 0 ? InsertEventsAndTags : InsertEvents);
        command.Parameters.Add(new NpgsqlParameter { Value = created, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = persistenceIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = sequenceNrs, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = messages, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = manifests, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = identifiers, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = writerUuids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
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
