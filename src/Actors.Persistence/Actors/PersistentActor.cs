using Actors.Core;
using Actors.Core.Logging;
using Actors.Persistence.Journal;
using Actors.Persistence.Snapshots;

namespace Actors.Persistence;

/// <summary>
/// An event-sourced actor: it recovers its state from a snapshot and the events after it, and changes state
/// only by persisting events. While recovering or while its events are being written, the mailbox waits, so
/// commands are handled one after another against durable state. A handler passed to Persist runs only after
/// its write is durable.
/// </summary>
public abstract partial class PersistentActor : ActorBase
{
    // Every field here is paid by every idle persistent actor (100,000 recovered accounts: 100,000 times), so the
    // extension is looked up when needed instead of cached, and "recovering" is a marker value of the sequence number.
    private const long RecoveringMarker = -1;
    private long _currentSequenceNr;
    // The writes not yet sent to the journal and the handlers to run after them; null when none (an idle actor keeps one
    // field for both, not two).
    private PendingWrites? _pending;

    private sealed class PendingWrites
    {
        public readonly List<AtomicWrite> Writes = [];
        public readonly List<Action> Handlers = [];
    }

    public abstract string PersistenceId { get; }

    /// <summary>The sequence number of the last event applied (replayed or persisted).</summary>
    public long LastSequenceNr { get; private set; }

    /// <summary>The global journal ordering of the last persisted write, for read-your-writes on the query side.</summary>
    public long LastOrdering { get; private set; }

    /// <summary>The sequence number of the latest snapshot this actor recovered from or asked to save (0: none yet).</summary>
    public long SnapshotSequenceNr { get; private set; }

    public bool IsRecovering => _currentSequenceNr == RecoveringMarker;

    protected virtual Recovery Recovery => Recovery.Default;

    protected Persistence Persistence => Persistence.Get(Context.System);

    protected IJournal Journal => Persistence.Journal;

    protected ISnapshotStore SnapshotStore => Persistence.SnapshotStore;

    /// <summary>Handles replayed events, a <see cref="SnapshotOffer"/> first if any, and <see cref="RecoveryCompleted"/> last.</summary>
    protected abstract bool ReceiveRecover(object message);

    /// <summary>Handles commands; calls <see cref="Persist{TEvent}"/> for the events it accepts.</summary>
    protected abstract bool ReceiveCommand(object message);

    /// <summary>Tags stored with an event, for EventsByTag queries.</summary>
    protected virtual IReadOnlyList<string> TagsFor(object @event) => PersistentRepr.NoTags;

    protected internal sealed override bool Receive(object message) => ReceiveCommand(message);

    internal virtual bool TryInvokeCommand(object message, out Task? task)
    {
        task = null;
        return ReceiveCommand(message);
    }

    internal sealed override Task? Dispatch(object message)
    {
        if (!TryInvokeCommand(message, out var task)) Unhandled(message);
        if (task is not null)
        {
            if (!task.IsCompleted) return PersistAfter(task, Sender);
            task.GetAwaiter().GetResult(); // sync-ok: completed; rethrows the handler's exception
        }
        return _pending is { Writes.Count: > 0 } ? FlushAsync(Sender) : null;
    }

    internal sealed override Task? AroundPreStart()
    {
        PreStart();
        return RecoverAsync();
    }

    internal sealed override Task? AroundPostRestart(Exception reason)
    {
        PostRestart(reason);
        return RecoverAsync();
    }

    /// <summary>Writes the event, then calls <paramref name="handler"/> with it. Commands wait until then.</summary>
    protected void Persist<TEvent>(TEvent @event, Action<TEvent> handler) where TEvent : notnull
    {
        var repr = NextRepr(@event);
        var pending = _pending ??= new PendingWrites();
        pending.Writes.Add(new AtomicWrite(repr));
        pending.Handlers.Add(() => handler(@event));
    }

    /// <summary>Writes all events atomically (all or none), then calls <paramref name="handler"/> for each in order.</summary>
    protected void PersistAll<TEvent>(IEnumerable<TEvent> events, Action<TEvent> handler) where TEvent : notnull
    {
        var reprs = new List<PersistentRepr>();
        PendingWrites? pending = null;
        foreach (var @event in events)
        {
            reprs.Add(NextRepr(@event));
            (pending ??= _pending ??= new PendingWrites()).Handlers.Add(() => handler(@event));
        }
        if (reprs.Count > 0) pending!.Writes.Add(new AtomicWrite(reprs));
    }

    private PersistentRepr NextRepr(object @event)
    {
        if (IsRecovering) throw new InvalidOperationException($"{PersistenceId} cannot persist while it recovers.");
        return new PersistentRepr(PersistenceId, ++_currentSequenceNr, @event, Persistence.Settings.WriterId, DateTimeOffset.UtcNow, TagsFor(@event));
    }

    private async Task PersistAfter(Task commandTask, IActorRef sender)
    {
        await commandTask.ConfigureAwait(false);
        if (_pending is { Writes.Count: > 0 }) await FlushAsync(sender).ConfigureAwait(false);
    }

    private async Task FlushAsync(IActorRef sender)
    {
        // Handlers may persist again; keep writing until nothing is pending.
        while (_pending is { Writes.Count: > 0 } pending)
        {
            var (writes, handlers) = (pending.Writes, pending.Handlers);
            _pending = null;

            IReadOnlyList<WriteResult> results;
            try { results = await Journal.WriteAsync(writes).ConfigureAwait(false); }
            catch (Exception e) { results = [.. writes.Select(_ => (WriteResult)new WriteResult.Failed(e))]; }

            var next = 0;
            for (var i = 0; i < writes.Count; i++)
            {
                var write = writes[i];
                switch (results[i])
                {
                    case WriteResult.Stored stored:
                        LastOrdering = Math.Max(LastOrdering, stored.HighestOrdering);
                        foreach (var repr in write.Events)
                        {
                            LastSequenceNr = repr.SequenceNr;
                            handlers[next++]();
                        }
                        break;
                    case WriteResult.Rejected rejected:
                        next += write.Events.Count;
                        if (write.HighestSequenceNr == _currentSequenceNr) _currentSequenceNr = write.LowestSequenceNr - 1;
                        OnPersistRejected(rejected.Cause, write.Events[0].Payload, write.LowestSequenceNr);
                        Reply(sender, new Status.Failure(new PersistenceRejectedException(
                            $"Events of {PersistenceId} from sequence number {write.LowestSequenceNr} were rejected: {rejected.Cause.Message}", rejected.Cause)));
                        break;
                    case WriteResult.Failed failed:
                        OnPersistFailure(failed.Cause, write.Events[0].Payload, write.LowestSequenceNr);
                        Reply(sender, new Status.Failure(new PersistenceFailureException(
                            $"Events of {PersistenceId} from sequence number {write.LowestSequenceNr} could not be written; the actor stops: {failed.Cause.Message}", failed.Cause)));
                        // The in-memory state may now be ahead of the journal: stop, and let the next incarnation recover.
                        _pending = null;
                        Context.Stop(Self);
                        return;
                    default:
                        throw new InvalidOperationException($"Unknown write result {results[i]}.");
                }
            }
        }
    }

    private void Reply(IActorRef sender, object message)
    {
        if (!ReferenceEquals(sender, Context.System.DeadLetters)) sender.Tell(message, Self);
    }

    /// <summary>A write failed: logged here; the sender gets a failure and the actor stops afterwards.</summary>
    protected virtual void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        Context.GetLogger().Error(cause, $"Failed to persist {@event.GetType().Name} with sequence number {sequenceNr} for {PersistenceId}; stopping.");

    /// <summary>The journal refused the events: logged here; the sender gets a failure and the actor goes on.</summary>
    protected virtual void OnPersistRejected(Exception cause, object @event, long sequenceNr) =>
        Context.GetLogger().Warning($"Rejected {@event.GetType().Name} with sequence number {sequenceNr} for {PersistenceId}: {cause.Message}", cause);

    /// <summary>Recovery failed: logged here; the actor stops afterwards.</summary>
    protected virtual void OnRecoveryFailure(Exception cause, object? @event) =>
        Context.GetLogger().Error(cause, $"Recovery of {PersistenceId} failed{(@event is null ? "" : $" at {@event.GetType().Name}")}; stopping.");
}
