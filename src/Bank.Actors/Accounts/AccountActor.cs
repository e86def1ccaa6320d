using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Bank.Domain;

namespace Bank.Actors.Accounts;

/// <summary>
/// One bank account, a persistent sharded entity whose persistence id is the account id. Thin by design: the domain
/// decides and evolves; the actor persists, replies, snapshots and passivates.
/// </summary>
public sealed class AccountActor : ReceivePersistentActor
{
    /// <summary>The tag every account event carries, for the read side's events-by-tag queries.</summary>
    public const string Tag = "account";

    private static readonly ImmutableHashSet<string> Tags = [Tag];

    private readonly AccountSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private AccountState _state;
    private long _lastSnapshotAt;

    // Who waits for the write in progress. Persist stashes every other command until it completes, so there is at most one.
    private IActorRef _awaitingWrite = ActorRefs.Nobody;

    public AccountActor(string accountId, AccountSettings settings)
    {
        _settings = settings;
        _state = AccountState.Initial(accountId, settings.IdempotencyWindow);
        PersistenceId = accountId;

        Recover<SnapshotOffer>(offer => offer.Snapshot is AccountState, offer =>
        {
            _state = Restored((AccountState)offer.Snapshot);
            _lastSnapshotAt = offer.Metadata.SequenceNr;
        });
        Recover<AccountEvent>(e => _state = AccountDecider.Evolve(_state, e));

        Command<AccountCommand>(Handle);
        Command<GetAccount>(_ => Answer());
        Command<SaveSnapshotSuccess>(saved => DeleteOlderSnapshots(saved.Metadata));
        Command<SaveSnapshotFailure>(failed => _log.Warning(failed.Cause, "Snapshot of {0} at {1} failed; recovery replays more events.", PersistenceId, failed.Metadata.SequenceNr));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failed => _log.Warning(failed.Cause, "Deleting old snapshots of {0} failed.", PersistenceId));
    }

    public override string PersistenceId { get; }

    public static Props Props(string accountId, AccountSettings settings) =>
        Akka.Actor.Props.Create(() => new AccountActor(accountId, settings));

    private void Handle(AccountCommand command)
    {
        switch (AccountDecider.Decide(_state, command))
        {
            case Decision.Accepted accepted:
                Persist(accepted.Events);
                break;
            case Decision.Rejected rejected:
                Sender.Tell(new AccountReply.Rejected(rejected.Rejection));
                break;
            case Decision.Duplicate { Original: var original }:
                var view = AccountView.From(_state) with { Balance = original.Balance, Status = original.Status, Version = original.Version };
                Sender.Tell(new AccountReply.Accepted(view, WasDuplicate: true));
                break;
            default:
                throw new InvalidOperationException($"Unknown decision for {command.GetType().Name}.");
        }
    }

    // One AtomicWrite: a command's events are stored all together or not at all.
    private void Persist(IReadOnlyList<AccountEvent> events)
    {
        _awaitingWrite = Sender;
        var remaining = events.Count;
        PersistAll(events.Select(e => new Tagged(e, Tags)), tagged =>
        {
            _state = AccountDecider.Evolve(_state, (AccountEvent)tagged.Payload);
            if (--remaining > 0) return;
            _awaitingWrite.Tell(new AccountReply.Accepted(AccountView.From(_state), WasDuplicate: false));
            _awaitingWrite = ActorRefs.Nobody;
            SnapshotIfDue();
        });
    }

    private void Answer()
    {
        Sender.Tell(_state);
        // Nobody opened it: do not keep an empty actor around for a mistyped id.
        if (_state.Status == AccountStatus.NotOpened) Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    /// <summary>The journal failed the write: the caller learns it now, and the actor stops (Akka's rule) to recover from the journal.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _awaitingWrite.Tell(new AccountReply.JournalFailed($"{cause.GetType().Name}: {cause.Message}"));
        _awaitingWrite = ActorRefs.Nobody;
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>
    /// The journal refused the events (e.g. they could not be serialized). Akka keeps the actor running, but its
    /// sequence number has moved past the refused events while the journal has none: versions would no longer be
    /// sequence numbers. Stopping makes the next incarnation recover from the journal's own highest number.
    /// </summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _awaitingWrite.Tell(new AccountReply.PersistRejected($"{cause.GetType().Name}: {cause.Message}"));
        _awaitingWrite = ActorRefs.Nobody;
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.Stop(Self);
    }

    private AccountState Restored(AccountState snapshot) =>
        snapshot.ProcessedCommands.Capacity == _settings.IdempotencyWindow
            ? snapshot
            : snapshot with { ProcessedCommands = snapshot.ProcessedCommands.WithCapacity(_settings.IdempotencyWindow) };

    private void SnapshotIfDue()
    {
        if (_settings.SnapshotEvery <= 0 || LastSequenceNr - _lastSnapshotAt < _settings.SnapshotEvery) return;
        _lastSnapshotAt = LastSequenceNr;
        SaveSnapshot(_state);
    }

    // Snapshots are SnapshotEvery to SnapshotEvery + 1 events apart (an opening deposit is a second event), so this
    // keeps the KeepSnapshots newest ones.
    private void DeleteOlderSnapshots(SnapshotMetadata saved)
    {
        var keepFrom = saved.SequenceNr - (long)(_settings.SnapshotEvery + 1) * (_settings.KeepSnapshots - 1);
        if (keepFrom > 1) DeleteSnapshots(new SnapshotSelectionCriteria(keepFrom - 1));
    }
}
