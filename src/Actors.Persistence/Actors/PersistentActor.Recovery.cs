using Actors.Core;
using Actors.Persistence.Snapshots;

namespace Actors.Persistence;

public abstract partial class PersistentActor
{
    private async Task RecoverAsync()
    {
        _currentSequenceNr = RecoveringMarker;
        var permits = Persistence.RecoveryPermits;
        await permits.WaitAsync().ConfigureAwait(false);
        object? current = null;
        try
        {
            var recovery = Recovery;
            var from = 1L;
            if (recovery.FromSnapshot.MaxSequenceNr > 0)
            {
                var selected = await SnapshotStore.LoadAsync(PersistenceId, recovery.FromSnapshot).ConfigureAwait(false);
                if (selected is not null)
                {
                    LastSequenceNr = SnapshotSequenceNr = selected.Metadata.SequenceNr;
                    current = new SnapshotOffer(selected.Metadata, selected.Snapshot);
                    ReceiveRecover(current);
                    from = selected.Metadata.SequenceNr + 1;
                }
            }

            var replayed = false;
            if (recovery.ReplayMax > 0 && recovery.ToSequenceNr >= from)
            {
                // One callback per event, called in a plain loop over each fetched page (one closure per recovery).
                await Journal.ReplayMessagesAsync(PersistenceId, from, recovery.ToSequenceNr, recovery.ReplayMax, repr =>
                {
                    current = repr.Payload;
                    LastSequenceNr = repr.SequenceNr;
                    ReceiveRecover(repr.Payload);
                    replayed = true;
                }).ConfigureAwait(false);
            }
            current = null;

            // Deletions only remove a prefix, so a full replay that found events ended at the highest one;
            // otherwise ask the journal, which remembers the highest number even after deleting everything.
            var fullReplay = recovery.ToSequenceNr == long.MaxValue && recovery.ReplayMax == long.MaxValue;
            if (!replayed || !fullReplay)
                LastSequenceNr = Math.Max(LastSequenceNr, await Journal.ReadHighestSequenceNrAsync(PersistenceId).ConfigureAwait(false));
            _currentSequenceNr = LastSequenceNr; // no longer recovering
            ReceiveRecover(RecoveryCompleted.Instance);
        }
        catch (Exception e)
        {
            _currentSequenceNr = LastSequenceNr; // no longer recovering
            OnRecoveryFailure(e, current);
            Context.Stop(Self);
        }
        finally
        {
            permits.Release();
        }
    }

    /// <summary>Saves a snapshot of the state at <see cref="LastSequenceNr"/>; the outcome arrives as <see cref="SaveSnapshotSuccess"/> or <see cref="SaveSnapshotFailure"/>. Pass an immutable value: it is serialized in the background.</summary>
    protected void SaveSnapshot(object snapshot)
    {
        var metadata = new SnapshotMetadata(PersistenceId, LastSequenceNr, DateTimeOffset.UtcNow);
        SnapshotSequenceNr = LastSequenceNr;
        NotifySelf(SnapshotStore.SaveAsync(metadata, snapshot), () => new SaveSnapshotSuccess(metadata), e => new SaveSnapshotFailure(metadata, e));
    }

    protected void DeleteSnapshots(SnapshotSelectionCriteria criteria) =>
        NotifySelf(SnapshotStore.DeleteAsync(PersistenceId, criteria), () => new DeleteSnapshotsSuccess(criteria), e => new DeleteSnapshotsFailure(criteria, e));

    /// <summary>Deletes events up to and including <paramref name="toSequenceNr"/>; <see cref="LastSequenceNr"/> stays as it is.</summary>
    protected void DeleteMessages(long toSequenceNr) =>
        NotifySelf(Journal.DeleteMessagesToAsync(PersistenceId, toSequenceNr), () => new DeleteMessagesSuccess(toSequenceNr), e => new DeleteMessagesFailure(toSequenceNr, e));

    private void NotifySelf(Task operation, Func<object> success, Func<Exception, object> failure)
    {
        var self = Self;
        operation.ContinueWith(
            t => self.Tell(t.IsCompletedSuccessfully ? success() : failure(t.Exception?.InnerException ?? new TaskCanceledException(t)), self),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
