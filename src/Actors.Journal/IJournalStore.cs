using Akka.Persistence;
using Actors.Journal.Batching;

namespace Actors.Journal;

/// <summary>One database behind the journal: its group-commit writer, replay, highest sequence number and deletes.</summary>
internal interface IJournalStore : IAsyncDisposable
{
    /// <summary>Creates the tables when auto-initialize is on (idempotent; runs once, retried after a failure).</summary>
    Task EnsureInitializedAsync(CancellationToken cancellationToken);

    /// <summary>The batch writer the write lanes share.</summary>
    IBatchWriter Writer { get; }

    /// <summary>
    /// Replays the persistence id's events from..to (inclusive), at most <paramref name="max"/>, in sequence-number order,
    /// skipping soft-deleted rows: paged by sequence number, each page streamed from the reader into the callback.
    /// </summary>
    Task ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        JournalRowSerializer serializer, Action<IPersistentRepresentation> callback, CancellationToken cancellationToken);

    /// <summary>max(sequence_number) of the persistence id (deleted rows included), above <paramref name="fromSequenceNr"/> when it is not 0; 0 when none.</summary>
    Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken);

    /// <summary>Akka.Persistence.Sql's delete (delete-compatibility-mode off): see <see cref="JournalSql.DeleteSteps"/>.</summary>
    Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken);
}

/// <summary>The SQL the stores share (Akka.Persistence.Sql's default table mapping).</summary>
internal static class JournalSql
{
    public const string Columns = "created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid";
    public const int ColumnCount = 8;
    public const string TagColumns = "ordering_id, tag, sequence_nr, persistence_id";
    public const int TagColumnCount = 4;

    /// <summary>
    /// The delete, in one transaction, as Akka.Persistence.Sql 1.5.73 does it (delete-compatibility-mode off): with M the
    /// highest sequence number of the persistence id at or below toSequenceNr (nothing to do when there is none),
    /// 1. mark row M deleted (it stays: the highest sequence number survives deleting everything, and replay skips it);
    /// 2. physically delete the rows below M; 3. delete the tag rows below M (M's own tag rows stay, as with the stock plugin).
    /// Parameters: 1 = persistence id, 2 = toSequenceNr.
    /// </summary>
    public static string[] DeleteSteps(string journal, string tags, string trueLiteral, string p1, string p2)
    {
        var highest = $"(SELECT coalesce(max(sequence_number), 0) FROM {journal} WHERE persistence_id = {p1} AND sequence_number <= {p2})";
        return
        [
            $"UPDATE {journal} SET deleted = {trueLiteral} WHERE persistence_id = {p1} AND sequence_number = {highest}",
            $"DELETE FROM {journal} WHERE persistence_id = {p1} AND sequence_number < {highest}",
            $"DELETE FROM {tags} WHERE persistence_id = {p1} AND sequence_nr < {highest}",
        ];
    }
}
