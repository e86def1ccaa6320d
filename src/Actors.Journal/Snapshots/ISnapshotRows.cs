namespace Actors.Journal.Snapshots;

/// <summary>
/// One row of Akka.Persistence.Sql's <c>snapshot</c> table (default table mapping): <c>persistence_id, sequence_number,
/// created</c> (ticks), <c>snapshot</c> (the payload's bytes), <c>manifest, serializer_id</c>.
/// </summary>
internal sealed record SnapshotRow(string PersistenceId, long SequenceNr, long Created, byte[] Payload, string Manifest, int? SerializerId);

/// <summary>The bounds of a selection (Akka's SnapshotSelectionCriteria, timestamps as ticks), all inclusive.</summary>
internal readonly record struct SnapshotBounds(long MaxSequenceNr, long MaxCreated, long MinSequenceNr, long MinCreated);

/// <summary>The snapshot table on one database.</summary>
internal interface ISnapshotRows : IAsyncDisposable
{
    /// <summary>Creates the table when auto-initialize is on (idempotent; runs once, retried after a failure).</summary>
    Task EnsureInitializedAsync(CancellationToken cancellationToken);

    /// <summary>The selected row with the highest sequence number; null when none is selected.</summary>
    Task<SnapshotRow?> LoadAsync(string persistenceId, SnapshotBounds bounds, CancellationToken cancellationToken);

    /// <summary>Inserts the row, or replaces the one with the same persistence id and sequence number (as the stock store does).</summary>
    Task SaveAsync(SnapshotRow row, CancellationToken cancellationToken);

    Task DeleteAsync(string persistenceId, long sequenceNr, CancellationToken cancellationToken);

    Task DeleteAsync(string persistenceId, SnapshotBounds bounds, CancellationToken cancellationToken);
}
