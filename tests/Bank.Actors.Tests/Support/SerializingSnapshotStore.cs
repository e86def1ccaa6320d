using Akka.Persistence;
using Akka.Persistence.TestKit;

namespace Bank.Actors.Tests.Support;

/// <summary>Akka.Persistence.TestKit's snapshot store (fault injection included), keeping each snapshot as its <see cref="StoredBytes"/>.</summary>
public sealed class SerializingSnapshotStore : TestSnapshotStore
{
    private readonly Akka.Serialization.Serialization _serialization = Context.System.Serialization;

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default) =>
        base.SaveAsync(metadata, StoredBytes.Of(_serialization, snapshot), cancellationToken);

    protected override async Task<SelectedSnapshot> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        var selected = await base.LoadAsync(persistenceId, criteria, cancellationToken);
        return selected is null ? null! : new SelectedSnapshot(selected.Metadata, ((StoredBytes)selected.Snapshot).Load(_serialization));
    }
}
