using Actors.Core;
using Actors.Core.Entities;
using Actors.Persistence;
using Actors.Persistence.Snapshots;
using Bank.Domain;

namespace Bank.Actors;

/// <summary>
/// One bank account. Thin by design: the domain decides and evolves, the actor persists, replies, snapshots
/// and passivates. The account id is the persistence id.
/// </summary>
public sealed class AccountActor : PersistentActor
{
    private static readonly IReadOnlyList<string> Tags = [BankEventTypes.AccountTag];
    private readonly AccountSettings _settings;
    private AccountState _state;

    public AccountActor(string accountId, AccountSettings settings)
    {
        _settings = settings;
        _state = AccountState.Initial(accountId, settings.IdempotencyWindow);
    }

    public static Props Props(string accountId, AccountSettings settings) =>
        global::Actors.Core.Props.Create(() => new AccountActor(accountId, settings));

    public override string PersistenceId => _state.AccountId;

    protected override IReadOnlyList<string> TagsFor(object @event) => Tags;

    protected override void PreStart() => Context.SetReceiveTimeout(_settings.PassivateAfter);

    protected override bool ReceiveRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: AccountState snapshot }:
                _state = snapshot.ProcessedCommands.Capacity == _settings.IdempotencyWindow
                    ? snapshot
                    : snapshot with { ProcessedCommands = snapshot.ProcessedCommands.WithCapacity(_settings.IdempotencyWindow) };
                return true;
            case AccountEvent @event:
                _state = AccountDecider.Evolve(_state, @event);
                return true;
            case RecoveryCompleted:
                return true;
            default:
                return false;
        }
    }

    protected override bool ReceiveCommand(object message)
    {
        switch (message)
        {
            case AccountCommand command:
                Handle(command);
                return true;
            case GetAccount:
                Sender.Tell(_state, Self);
                // Nobody opened it: do not keep an empty actor around for a mistyped id.
                if (_state.Status == AccountStatus.NotOpened) Context.Parent.Tell(new Passivate(PoisonPill.Instance), Self);
                return true;
            case ReceiveTimeout:
                Context.Parent.Tell(new Passivate(PoisonPill.Instance), Self);
                return true;
            case SaveSnapshotSuccess saved:
                DeleteOldSnapshots(saved.Metadata);
                return true;
            case SaveSnapshotFailure or DeleteSnapshotsSuccess or DeleteSnapshotsFailure:
                return true; // a missing snapshot only makes recovery longer
            default:
                return false;
        }
    }

    private void Handle(AccountCommand command)
    {
        switch (AccountDecider.Decide(_state, command))
        {
            case Decision.Accepted accepted:
                var last = accepted.Events[^1];
                var sender = Sender;
                PersistAll(accepted.Events, @event =>
                {
                    _state = AccountDecider.Evolve(_state, @event);
                    if (!ReferenceEquals(@event, last)) return;
                    sender.Tell(new AccountReply.Accepted(AccountView.From(_state), LastOrdering, WasDuplicate: false), Self);
                    SnapshotIfDue();
                });
                break;
            case Decision.Rejected rejected:
                Sender.Tell(new AccountReply.Rejected(rejected.Rejection), Self);
                break;
            case Decision.Duplicate duplicate:
                var original = duplicate.Original;
                var view = AccountView.From(_state) with { Balance = original.Balance, Status = original.Status, Version = original.Version };
                Sender.Tell(new AccountReply.Accepted(view, 0, WasDuplicate: true), Self);
                break;
            default:
                throw new InvalidOperationException($"Unknown decision for {command.GetType().Name}.");
        }
    }

    private void SnapshotIfDue()
    {
        // SnapshotSequenceNr is that of the snapshot recovered from or last asked for: no field of its own per account.
        if (_settings.SnapshotEvery > 0 && LastSequenceNr - SnapshotSequenceNr >= _settings.SnapshotEvery) SaveSnapshot(_state);
    }

    private void DeleteOldSnapshots(SnapshotMetadata saved)
    {
        var keepFrom = saved.SequenceNr - (long)_settings.SnapshotEvery * (_settings.KeepSnapshots - 1);
        if (_settings.KeepSnapshots > 0 && keepFrom > 1)
            DeleteSnapshots(new SnapshotSelectionCriteria(MaxSequenceNr: keepFrom - 1));
    }
}
