using Actors.Persistence.InMemory;
using Actors.Persistence.Snapshots;
using Actors.Persistence.Tck;

namespace Actors.Persistence.Tests;

/// <summary>The snapshot store TCK against <see cref="InMemorySnapshotStore"/>, plus its own test hooks.</summary>
public sealed class InMemorySnapshotStoreTckTests : SnapshotStoreSpec
{
    private InMemorySnapshotStore? _store;

    private InMemorySnapshotStore Memory => _store ??= new InMemorySnapshotStore(Serializer);

    protected override Task<ISnapshotStore> CreateSnapshotStoreAsync() => Task.FromResult<ISnapshotStore>(Memory);

    [Fact]
    public async Task FailNextSave_and_FailNextLoad_fail_once()
    {
        var pid = NewPersistenceId();
        var cause = new InvalidOperationException("no space");
        Memory.FailNextSave(cause, pid);

        Assert.Same(cause, await Assert.ThrowsAsync<InvalidOperationException>(() => SaveAsync(pid, 1)));
        Assert.Null(await LoadAsync(pid, SnapshotSelectionCriteria.Latest));

        await SaveAsync(pid, 1);
        Memory.FailNextLoad();
        await Assert.ThrowsAsync<InvalidOperationException>(() => LoadAsync(pid, SnapshotSelectionCriteria.Latest));
        AssertSnapshot(await LoadAsync(pid, SnapshotSelectionCriteria.Latest), pid, 1);
    }

    [Fact]
    public async Task ReadMetadata_lists_the_stored_snapshots_oldest_first()
    {
        var pid = NewPersistenceId();
        await SaveAsync(pid, 4);
        await SaveAsync(pid, 2);

        Assert.Equal(new long[] { 2, 4 }, Memory.ReadMetadata(pid).Select(m => m.SequenceNr));
        Assert.Empty(Memory.ReadMetadata(NewPersistenceId()));
    }
}
