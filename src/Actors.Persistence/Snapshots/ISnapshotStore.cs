namespace Actors.Persistence.Snapshots;

public interface ISnapshotStore
{
    /// <summary>The youngest snapshot (highest sequence number) that matches, or null.</summary>
    Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default);

    /// <summary>Stores a snapshot; one with the same persistence id and sequence number is overwritten.</summary>
    Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default);

    Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default);

    Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default);
}
