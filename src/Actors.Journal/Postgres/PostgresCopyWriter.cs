using Actors.Journal.Batching;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Journal.Postgres;

/// <summary>
/// Writes a batch in one transaction by binary COPY, the cheapest way into PostgreSQL for many rows:
/// <list type="number">
/// <item>one round trip: <c>SELECT pg_current_xact_id()</c> first (the transaction owns its xid before it draws any
/// ordering), then as many values of journal.ordering's identity sequence as there are events;</item>
/// <item><c>COPY journal … FROM STDIN (FORMAT BINARY)</c> with those orderings (COPY writes identity columns as given, even
/// GENERATED ALWAYS ones);</item>
/// <item><c>COPY tags</c> with the same orderings, then COMMIT.</item>
/// </list>
/// COPY is all or nothing: a taken (persistence_id, sequence_number) fails it with 23505 and the caller finds the culprit.
/// </summary>
internal sealed class PostgresCopyWriter(PostgresJournalStore store)
{
    private const string CopyJournal =
        "COPY journal (ordering, created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid) FROM STDIN (FORMAT BINARY)";
    private const string CopyTags = "COPY tags (ordering_id, tag, sequence_nr, persistence_id) FROM STDIN (FORMAT BINARY)";
    private string? _drawOrderings;

    /// <summary>Writes all events in one transaction; returns each write's highest ordering. Throws on any failure (rolled back).</summary>
    public async Task<long[]> WriteAsync(IReadOnlyList<PendingWrite> writes, int events, CancellationToken cancellationToken)
    {
        var drawOrderings = _drawOrderings ??= await DrawOrderingsSqlAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        var orderings = await DrawAsync(connection, transaction, drawOrderings, events, cancellationToken).ConfigureAwait(false);
        var highest = new long[writes.Count];
        var tagRows = 0;

        await using (var journal = await connection.BeginBinaryImportAsync(CopyJournal, cancellationToken).ConfigureAwait(false))
        {
            var n = 0;
            for (var w = 0; w < writes.Count; w++)
            {
                foreach (var e in writes[w].Events)
                {
                    var ordering = orderings[n++];
                    await journal.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await journal.WriteAsync(ordering, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await journal.WriteAsync(e.Created, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await journal.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
                    await journal.WriteAsync(e.PersistenceId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await journal.WriteAsync(e.SequenceNr, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await journal.WriteAsync(e.Message, NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
                    await journal.WriteAsync(e.Manifest, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await journal.WriteAsync(e.Identifier, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    if (e.WriterUuid is null) await journal.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                    else await journal.WriteAsync(e.WriterUuid, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    highest[w] = ordering;
                    tagRows += e.Tags.Length;
                }
            }
            await journal.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        if (tagRows > 0)
        {
            await using var tags = await connection.BeginBinaryImportAsync(CopyTags, cancellationToken).ConfigureAwait(false);
            var n = 0;
            foreach (var write in writes)
            {
                foreach (var e in write.Events)
                {
                    var ordering = orderings[n++];
                    foreach (var tag in e.Tags)
                    {
                        await tags.StartRowAsync(cancellationToken).ConfigureAwait(false);
                        await tags.WriteAsync(ordering, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                        await tags.WriteAsync(tag, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                        await tags.WriteAsync(e.SequenceNr, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                        await tags.WriteAsync(e.PersistenceId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            await tags.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return highest;
    }

    /// <summary>The transaction's xid (taken first), then <paramref name="count"/> orderings in increasing order, in one round trip.</summary>
    private static async Task<long[]> DrawAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string drawOrderings, int count, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_current_xact_id()"));
        var draw = new NpgsqlBatchCommand(drawOrderings);
        draw.Parameters.Add(new NpgsqlParameter { Value = count, NpgsqlDbType = NpgsqlDbType.Integer });
        batch.BatchCommands.Add(draw);

        var orderings = new long[count];
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the xid
            var n = 0;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) orderings[n++] = reader.GetInt64(0);
            if (n != count) throw new InvalidOperationException($"Drew {n} orderings for {count} events.");
        }
        // One session's nextval values only grow; sorted anyway, so a write's events are in ordering order.
        Array.Sort(orderings);
        return orderings;
    }

    /// <summary>The statement that draws N values from the sequence behind journal.ordering (its name asked once).</summary>
    private async Task<string> DrawOrderingsSqlAsync(CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT pg_get_serial_sequence('journal', 'ordering')", connection);
        var sequence = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string
                       ?? throw new InvalidOperationException("journal.ordering has no sequence.");
        var literal = "'" + sequence.Replace("'", "''", StringComparison.Ordinal) + "'";
        return $"SELECT nextval({literal}::regclass) FROM generate_series(1, $1)";
    }
}
