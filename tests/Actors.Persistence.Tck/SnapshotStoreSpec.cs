using System.Globalization;
using System.Runtime.CompilerServices;
using Actors.Persistence.Serialization;
using Actors.Persistence.Snapshots;

namespace Actors.Persistence.Tck;

/// <summary>
/// The behaviour every <see cref="ISnapshotStore"/> must show. Derive a class in a test project and implement
/// <see cref="CreateSnapshotStoreAsync"/>; every test uses its own persistence ids, so one storage may serve a whole class.
/// </summary>
public abstract class SnapshotStoreSpec : IAsyncLifetime
{
    private IEventSerializer? _serializer;
    private ISnapshotStore? _store;

    /// <summary>Creates the snapshot store for the current test. Build it with <see cref="Serializer"/>.</summary>
    protected abstract Task<ISnapshotStore> CreateSnapshotStoreAsync();

    /// <summary>The serializer the store under test must use (it knows the TCK payload types).</summary>
    protected virtual IEventSerializer CreateSerializer() => TckSerialization.CreateSerializer();

    protected virtual async ValueTask DisposeSnapshotStoreAsync(ISnapshotStore store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable: await asyncDisposable.DisposeAsync(); break;
            case IDisposable disposable: disposable.Dispose(); break;
        }
    }

    /// <summary>How long one store operation may take before the test fails instead of hanging.</summary>
    protected virtual TimeSpan OperationTimeout => TimeSpan.FromSeconds(60);

    /// <summary>The size of the snapshot in the large-snapshot test.</summary>
    protected virtual int LargeSnapshotSize => 100 * 1024;

    /// <summary>The timestamp of the test snapshot with sequence number <paramref name="sequenceNr"/>: whole milliseconds, increasing with the number.</summary>
    protected virtual DateTimeOffset TimestampOf(long sequenceNr) =>
        new DateTimeOffset(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero).AddMinutes(sequenceNr);

    protected IEventSerializer Serializer => _serializer ??= CreateSerializer();

    /// <summary>The store under test (created before each test).</summary>
    protected ISnapshotStore SnapshotStore => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public virtual async Task InitializeAsync() => _store = await CreateSnapshotStoreAsync().WaitAsync(OperationTimeout);

    public virtual async Task DisposeAsync()
    {
        if (_store is not null) await DisposeSnapshotStoreAsync(_store);
        _store = null;
    }

    // ================================================================== loading

    [Fact]
    public async Task Load_returns_null_when_the_id_has_no_snapshot()
    {
        var pid = NewPersistenceId();
        await SaveAsync(NewPersistenceId(), 1); // another id's snapshot must not be found
        Assert.Null(await LoadAsync(pid, SnapshotSelectionCriteria.Latest));
    }

    [Fact]
    public async Task Load_latest_returns_the_youngest_snapshot_with_its_metadata()
    {
        var pid = NewPersistenceId();
        await SaveAsync(pid, 3);
        await SaveAsync(pid, 5);
        await SaveAsync(pid, 1); // saved last, but older

        var loaded = await LoadAsync(pid, SnapshotSelectionCriteria.Latest);

        AssertSnapshot(loaded, pid, 5);
    }

    [Fact]
    public async Task Load_with_criteria_None_returns_null()
    {
        var pid = await PidWithSnapshotsAsync(1, 2, 3);
        Assert.Null(await LoadAsync(pid, SnapshotSelectionCriteria.None));
    }

    [Fact]
    public async Task Load_selects_by_MaxSequenceNr()
    {
        var pid = await PidWithSnapshotsAsync(1, 3, 5);

        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 4)), pid, 3);
        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 3)), pid, 3); // inclusive
        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 2)), pid, 1);
        Assert.Null(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 0)));
    }

    [Fact]
    public async Task Load_selects_by_MaxTimestamp()
    {
        var pid = await PidWithSnapshotsAsync(1, 3, 5);

        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxTimestamp: TimestampOf(3))), pid, 3); // inclusive
        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxTimestamp: TimestampOf(3).AddMilliseconds(-1))), pid, 1);
        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 5, MaxTimestamp: TimestampOf(4))), pid, 3);
        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 1, MaxTimestamp: TimestampOf(5))), pid, 1);
        Assert.Null(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxTimestamp: TimestampOf(1).AddMilliseconds(-1))));
    }

    [Fact]
    public async Task Load_selects_by_MinSequenceNr()
    {
        var pid = await PidWithSnapshotsAsync(1, 3, 5);

        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 4, MinSequenceNr: 2)), pid, 3);
        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 3, MinSequenceNr: 3)), pid, 3); // inclusive
        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MinSequenceNr: 5)), pid, 5);
        Assert.Null(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 2, MinSequenceNr: 2)));
        Assert.Null(await LoadAsync(pid, new SnapshotSelectionCriteria(MinSequenceNr: 6)));
    }

    [Fact]
    public async Task Load_selects_by_MinTimestamp()
    {
        var pid = await PidWithSnapshotsAsync(1, 3, 5);

        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MinTimestamp: TimestampOf(5))), pid, 5); // inclusive
        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 4, MinTimestamp: TimestampOf(2))), pid, 3);
        Assert.Null(await LoadAsync(pid, new SnapshotSelectionCriteria(MinTimestamp: TimestampOf(5).AddMilliseconds(1))));
        Assert.Null(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 2, MinTimestamp: TimestampOf(2))));
    }

    // ================================================================== saving

    [Fact]
    public async Task Snapshot_round_trips_with_metadata_and_exact_decimal()
    {
        var pid = NewPersistenceId();
        var metadata = new SnapshotMetadata(pid, 42, new DateTimeOffset(2024, 2, 29, 23, 59, 58, 999, TimeSpan.FromHours(-5)));
        var snapshot = new TckSnapshot("Zürich ✓ 😀 \"quoted\"", 42, 12345678901234567890.123456789m);
        await SaveAsync(metadata, snapshot);

        var loaded = await LoadAsync(pid, SnapshotSelectionCriteria.Latest);

        Assert.NotNull(loaded);
        Assert.Equal(pid, loaded.Metadata.PersistenceId);
        Assert.Equal(42, loaded.Metadata.SequenceNr);
        Assert.True(metadata.Timestamp == loaded.Metadata.Timestamp,
            $"Timestamp: expected {metadata.Timestamp:O}, got {loaded.Metadata.Timestamp:O}.");
        var state = Assert.IsType<TckSnapshot>(loaded.Snapshot);
        Assert.Equal(snapshot, state);
        Assert.Equal(snapshot.Balance.ToString(CultureInfo.InvariantCulture), state.Balance.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Save_with_the_same_sequence_nr_overwrites()
    {
        var pid = NewPersistenceId();
        await SaveAsync(new SnapshotMetadata(pid, 5, TimestampOf(5)), new TckSnapshot("first", 5, 1m));
        await SaveAsync(new SnapshotMetadata(pid, 5, TimestampOf(6)), new TckSnapshot("second", 5, 2m));

        var loaded = await LoadAsync(pid, SnapshotSelectionCriteria.Latest);

        Assert.NotNull(loaded);
        Assert.Equal(new TckSnapshot("second", 5, 2m), loaded.Snapshot);
        Assert.Equal(TimestampOf(6), loaded.Metadata.Timestamp);

        // Only one snapshot is left for that number.
        await SnapshotStore.DeleteAsync(new SnapshotMetadata(pid, 5, TimestampOf(6))).WaitAsync(OperationTimeout);
        Assert.Null(await LoadAsync(pid, SnapshotSelectionCriteria.Latest));
    }

    [Fact]
    public async Task Large_snapshot_round_trips()
    {
        var pid = NewPersistenceId();
        var big = new TckSnapshot(LargeText(LargeSnapshotSize), 7, 7.7m);
        await SaveAsync(new SnapshotMetadata(pid, 7, TimestampOf(7)), big);

        var loaded = await LoadAsync(pid, SnapshotSelectionCriteria.Latest);

        Assert.NotNull(loaded);
        Assert.Equal(big, loaded.Snapshot);
    }

    [Fact]
    public async Task Unserializable_snapshot_throws_and_keeps_the_previous_one()
    {
        var pid = await PidWithSnapshotsAsync(1);

        await Assert.ThrowsAnyAsync<Exception>(() =>
            SnapshotStore.SaveAsync(new SnapshotMetadata(pid, 2, TimestampOf(2)), new TckUnserializableEvent()).WaitAsync(OperationTimeout));
        await Assert.ThrowsAnyAsync<Exception>(() =>
            SnapshotStore.SaveAsync(new SnapshotMetadata(pid, 3, TimestampOf(3)), new TckSelfReferencingEvent()).WaitAsync(OperationTimeout));

        AssertSnapshot(await LoadAsync(pid, SnapshotSelectionCriteria.Latest), pid, 1);
    }

    [Fact]
    public async Task Snapshots_of_different_ids_are_independent()
    {
        var a = await PidWithSnapshotsAsync(1, 2);
        var b = await PidWithSnapshotsAsync(1);

        await DeleteAsync(a, SnapshotSelectionCriteria.Latest);

        Assert.Null(await LoadAsync(a, SnapshotSelectionCriteria.Latest));
        AssertSnapshot(await LoadAsync(b, SnapshotSelectionCriteria.Latest), b, 1);
        await SaveAsync(a, 3);
        AssertSnapshot(await LoadAsync(a, SnapshotSelectionCriteria.Latest), a, 3);
        AssertSnapshot(await LoadAsync(b, SnapshotSelectionCriteria.Latest), b, 1);
    }

    // ================================================================== deleting

    [Fact]
    public async Task Delete_by_metadata_removes_only_that_snapshot()
    {
        var pid = await PidWithSnapshotsAsync(1, 2, 3);

        await SnapshotStore.DeleteAsync(new SnapshotMetadata(pid, 2, TimestampOf(2))).WaitAsync(OperationTimeout);

        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 2)), pid, 1);
        AssertSnapshot(await LoadAsync(pid, SnapshotSelectionCriteria.Latest), pid, 3);
    }

    [Fact]
    public async Task Delete_by_metadata_of_a_missing_snapshot_is_harmless()
    {
        var pid = await PidWithSnapshotsAsync(1);

        await SnapshotStore.DeleteAsync(new SnapshotMetadata(pid, 9, TimestampOf(9))).WaitAsync(OperationTimeout);
        await SnapshotStore.DeleteAsync(new SnapshotMetadata(NewPersistenceId(), 1, TimestampOf(1))).WaitAsync(OperationTimeout);

        AssertSnapshot(await LoadAsync(pid, SnapshotSelectionCriteria.Latest), pid, 1);
    }

    [Fact]
    public async Task Delete_by_criteria_removes_the_sequence_nr_range()
    {
        var pid = await PidWithSnapshotsAsync(1, 2, 3, 4, 5);

        await DeleteAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 4, MinSequenceNr: 2));

        AssertSnapshot(await LoadAsync(pid, SnapshotSelectionCriteria.Latest), pid, 5);
        AssertSnapshot(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 4)), pid, 1);
    }

    [Fact]
    public async Task Delete_by_criteria_respects_the_timestamp_bounds()
    {
        var pid = await PidWithSnapshotsAsync(1, 2, 3, 4);

        await DeleteAsync(pid, new SnapshotSelectionCriteria(MaxTimestamp: TimestampOf(2)));

        AssertSnapshot(await LoadAsync(pid, SnapshotSelectionCriteria.Latest), pid, 4);
        Assert.Null(await LoadAsync(pid, new SnapshotSelectionCriteria(MaxSequenceNr: 2)));

        await DeleteAsync(pid, new SnapshotSelectionCriteria(MinTimestamp: TimestampOf(4)));

        AssertSnapshot(await LoadAsync(pid, SnapshotSelectionCriteria.Latest), pid, 3);
    }

    [Fact]
    public async Task Delete_by_criteria_Latest_removes_all_snapshots_of_the_id()
    {
        var pid = await PidWithSnapshotsAsync(1, 2, 3);
        await DeleteAsync(pid, SnapshotSelectionCriteria.Latest);
        Assert.Null(await LoadAsync(pid, SnapshotSelectionCriteria.Latest));
    }

    // ================================================================== helpers

    /// <summary>A persistence id no other test (or earlier run against the same storage) uses.</summary>
    protected static string NewPersistenceId([CallerMemberName] string test = "")
    {
        var prefix = test.Length > 40 ? test[..40] : test;
        return $"tck-{prefix}-{Guid.NewGuid():N}";
    }

    protected static TckSnapshot DefaultSnapshot(string persistenceId, long sequenceNr) =>
        new($"{persistenceId}@{sequenceNr}", (int)sequenceNr, sequenceNr + 0.25m);

    protected Task SaveAsync(string persistenceId, long sequenceNr) =>
        SaveAsync(new SnapshotMetadata(persistenceId, sequenceNr, TimestampOf(sequenceNr)), DefaultSnapshot(persistenceId, sequenceNr));

    protected Task SaveAsync(SnapshotMetadata metadata, object snapshot) =>
        SnapshotStore.SaveAsync(metadata, snapshot).WaitAsync(OperationTimeout);

    protected Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria) =>
        SnapshotStore.LoadAsync(persistenceId, criteria).WaitAsync(OperationTimeout);

    protected Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria) =>
        SnapshotStore.DeleteAsync(persistenceId, criteria).WaitAsync(OperationTimeout);

    protected async Task<string> PidWithSnapshotsAsync(params long[] sequenceNrs)
    {
        var pid = NewPersistenceId("snapshots");
        foreach (var seq in sequenceNrs) await SaveAsync(pid, seq);
        return pid;
    }

    /// <summary>Asserts <paramref name="loaded"/> is the default snapshot of <paramref name="persistenceId"/> at <paramref name="sequenceNr"/>.</summary>
    protected void AssertSnapshot(SelectedSnapshot? loaded, string persistenceId, long sequenceNr)
    {
        Assert.True(loaded is not null, $"Expected the snapshot of '{persistenceId}' at {sequenceNr}, got none.");
        Assert.Equal(persistenceId, loaded.Metadata.PersistenceId);
        Assert.Equal(sequenceNr, loaded.Metadata.SequenceNr);
        Assert.Equal(TimestampOf(sequenceNr), loaded.Metadata.Timestamp);
        Assert.Equal(DefaultSnapshot(persistenceId, sequenceNr), loaded.Snapshot);
    }

    protected static string LargeText(int length) =>
        string.Create(length, 0, static (span, _) =>
        {
            const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 äöü€";
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[(i * 7 + i / 13) % alphabet.Length];
        });
}
