using Actors.Persistence.Serialization;
using Actors.Persistence.Snapshots;

namespace Actors.Persistence.InMemory;

/// <summary>
/// A snapshot store that keeps serialized snapshots in memory: for tests and single-process demos. Snapshots are
/// serialized on save (an unserializable one throws and stores nothing; a stored one cannot be changed by mutating
/// the saved object) and deserialized on load. Thread-safe.
/// </summary>
public sealed class InMemorySnapshotStore : ISnapshotStore
{
    private readonly IEventSerializer _serializer;
    private readonly Lock _gate = new();

    // Guarded by _gate. Each list is sorted by sequence number, at most one snapshot per sequence number.
    private readonly Dictionary<string, List<StoredSnapshot>> _snapshots = new(StringComparer.Ordinal);
    private readonly List<(string? PersistenceId, Exception Cause)> _saveFaults = [];
    private readonly List<(string? PersistenceId, Exception Cause)> _loadFaults = [];

    public InMemorySnapshotStore(IEventSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        _serializer = serializer;
    }

    /// <summary>Makes the next save (of <paramref name="persistenceId"/>, or of anyone when null) throw <paramref name="cause"/> and store nothing.</summary>
    public void FailNextSave(Exception? cause = null, string? persistenceId = null)
    {
        lock (_gate) _saveFaults.Add((persistenceId, cause ?? new InvalidOperationException("Injected snapshot save failure.")));
    }

    /// <summary>Makes the next load (of <paramref name="persistenceId"/>, or of anyone when null) throw <paramref name="cause"/>.</summary>
    public void FailNextLoad(Exception? cause = null, string? persistenceId = null)
    {
        lock (_gate) _loadFaults.Add((persistenceId, cause ?? new InvalidOperationException("Injected snapshot load failure.")));
    }

    /// <summary>The metadata of all stored snapshots of <paramref name="persistenceId"/>, oldest first (for assertions in tests).</summary>
    public IReadOnlyList<SnapshotMetadata> ReadMetadata(string persistenceId)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        lock (_gate)
            return _snapshots.TryGetValue(persistenceId, out var list) ? [.. list.Select(s => s.Metadata)] : [];
    }

    public Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        ArgumentNullException.ThrowIfNull(criteria);
        cancellationToken.ThrowIfCancellationRequested();

        StoredSnapshot? found = null;
        lock (_gate)
        {
            if (TakeFault(_loadFaults, persistenceId) is { } cause) return Task.FromException<SelectedSnapshot?>(cause);
            if (_snapshots.TryGetValue(persistenceId, out var list))
            {
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (criteria.Matches(list[i].Metadata))
                    {
                        found = list[i];
                        break;
                    }
                }
            }
        }
        if (found is null) return Task.FromResult<SelectedSnapshot?>(null);
        return Task.FromResult<SelectedSnapshot?>(new SelectedSnapshot(found.Metadata, _serializer.Deserialize(found.Manifest, found.Bytes)));
    }

    public Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(snapshot);
        cancellationToken.ThrowIfCancellationRequested();

        var serialized = _serializer.Serialize(snapshot); // throws EventSerializationException: nothing stored
        var stored = new StoredSnapshot(metadata, serialized.Manifest, serialized.Bytes);
        lock (_gate)
        {
            if (TakeFault(_saveFaults, metadata.PersistenceId) is { } cause) return Task.FromException(cause);
            if (!_snapshots.TryGetValue(metadata.PersistenceId, out var list))
            {
                list = [];
                _snapshots.Add(metadata.PersistenceId, list);
            }
            var index = IndexOf(list, metadata.SequenceNr);
            if (index >= 0) list[index] = stored;
            else list.Insert(~index, stored);
        }
        return Task.CompletedTask;
    }

    public Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_snapshots.TryGetValue(metadata.PersistenceId, out var list))
            {
                var index = IndexOf(list, metadata.SequenceNr);
                if (index >= 0) list.RemoveAt(index);
                if (list.Count == 0) _snapshots.Remove(metadata.PersistenceId);
            }
        }
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        ArgumentNullException.ThrowIfNull(criteria);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_snapshots.TryGetValue(persistenceId, out var list))
            {
                list.RemoveAll(s => criteria.Matches(s.Metadata));
                if (list.Count == 0) _snapshots.Remove(persistenceId);
            }
        }
        return Task.CompletedTask;
    }

    private static Exception? TakeFault(List<(string? PersistenceId, Exception Cause)> faults, string persistenceId)
    {
        var index = faults.FindIndex(f => f.PersistenceId is null || string.Equals(f.PersistenceId, persistenceId, StringComparison.Ordinal));
        if (index < 0) return null;
        var cause = faults[index].Cause;
        faults.RemoveAt(index);
        return cause;
    }

    private static int IndexOf(List<StoredSnapshot> list, long sequenceNr)
    {
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].Metadata.SequenceNr < sequenceNr) lo = mid + 1;
            else hi = mid;
        }
        return lo < list.Count && list[lo].Metadata.SequenceNr == sequenceNr ? lo : ~lo;
    }

    private sealed record StoredSnapshot(SnapshotMetadata Metadata, string Manifest, byte[] Bytes);
}
