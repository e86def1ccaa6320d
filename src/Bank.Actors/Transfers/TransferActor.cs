using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Bank.Actors.Accounts;
using Bank.Domain;

namespace Bank.Actors.Transfers;

/// <summary>
/// One transfer, a persistent sharded entity (persistence id "transfer-{id}") that drives the transfer's steps on the
/// two accounts through the accounts' shard region. Thin: <see cref="TransferDecider"/> decides; the actor checks the
/// source, persists, asks the accounts, and retries a step whose outcome it did not learn (a timeout, a failed write)
/// with backoff; retries are safe because an account applies each step of a transfer at most once. The region remembers
/// its entities, so a transfer left pending by a crash or a node's death is started again and resumes from its events.
/// </summary>
public sealed class TransferActor : ReceivePersistentActor, IWithTimers
{
    /// <summary>The tag every transfer event carries, for queries over transfers.</summary>
    public const string Tag = "transfer";

    public const string PersistenceIdPrefix = "transfer-";

    private static readonly ImmutableHashSet<string> Tags = [Tag];
    private static readonly TimeSpan NoRequestAfter = TimeSpan.FromMinutes(1);

    private readonly IActorRef _accounts;
    private readonly TransferSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private TransferState _state;
    private bool _checkingSource;
    private long _step; // identifies the step's ask in flight: answers to older asks are ignored
    private int _attempts;

    public TransferActor(Guid transferId, IActorRef accounts, TransferSettings settings)
    {
        _accounts = accounts;
        _settings = settings;
        _state = TransferState.Initial(transferId);
        PersistenceId = PersistenceIdPrefix + TransferMessageExtractor.EntityIdOf(transferId);

        Recover<TransferEvent>(e => _state = TransferDecider.Evolve(_state, e));
        // Started again by the region after a crash (remembered entity): resume. A new transfer waits for its request, but
        // not forever: one remembered when a crash came between its start and a refusal has no request coming.
        Recover<RecoveryCompleted>(_ =>
        {
            if (_state.Exists) NextStep();
            else Timers.StartSingleTimer("idle", IdleCheck.Instance, NoRequestAfter);
        });

        Command<RequestTransfer>(Request);
        Command<SourceChecked>(Start);
        Command<GetTransfer>(_ =>
        {
            Sender.Tell(_state);
            PassivateIfDone();
        });
        Command<StepAnswered>(OnStepAnswered);
        Command<RetryStep>(retry =>
        {
            if (retry.Step == _step) NextStep();
        });
        Command<IdleCheck>(_ => PassivateIfDone());
    }

    public override string PersistenceId { get; }

    /// <summary>A transfer has a handful of events and never snapshots: recovery skips the snapshot store's query.</summary>
    public override Recovery Recovery => new(SnapshotSelectionCriteria.None);

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Guid transferId, IActorRef accounts, TransferSettings settings) =>
        Akka.Actor.Props.Create(() => new TransferActor(transferId, accounts, settings));

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private void Request(RequestTransfer command)
    {
        if (_checkingSource)
        {
            Stash.Stash(); // answered once the first request is decided
            return;
        }
        switch (TransferDecider.Check(_state, command))
        {
            case TransferDecision.Duplicate:
                Sender.Tell(new TransferReply.Accepted(_state, WasDuplicate: true));
                PassivateIfDone();
                return;
            case TransferDecision.Rejected rejected:
                Sender.Tell(new TransferReply.Rejected(rejected.Rejection));
                PassivateIfDone();
                return;
        }
        // New and valid: the source decides whether it may start (unknown 404, closed 409) and gives its currency.
        _checkingSource = true;
        var requester = Sender;
        _accounts.Ask<AccountState>(new GetAccount(command.FromAccountId), _settings.StepTimeout)
            .PipeTo(Self, success: source => new SourceChecked(command, requester, source), failure: e => new SourceChecked(command, requester, null, e));
    }

    private void Start(SourceChecked checkedSource)
    {
        _checkingSource = false;
        Stash.UnstashAll();
        var requester = checkedSource.Requester;
        if (checkedSource.Source is not { } source)
        {
            requester.Tell(new TransferReply.Unavailable($"Account '{checkedSource.Command.FromAccountId}' did not answer: {checkedSource.Failure?.GetType().Name}."));
            PassivateIfDone();
            return;
        }
        switch (TransferDecider.Decide(_state, checkedSource.Command, source))
        {
            case TransferDecision.Accepted accepted:
                PersistAll(accepted.Events.Select(e => new Tagged(e, Tags)), tagged =>
                {
                    _state = TransferDecider.Evolve(_state, (TransferEvent)tagged.Payload);
                    requester.Tell(new TransferReply.Accepted(_state, WasDuplicate: false));
                    NextStep();
                });
                break;
            case TransferDecision.Rejected rejected:
                requester.Tell(new TransferReply.Rejected(rejected.Rejection));
                PassivateIfDone();
                break;
            case TransferDecision.Duplicate:
                requester.Tell(new TransferReply.Accepted(_state, WasDuplicate: true));
                break;
        }
    }

    /// <summary>Asks the account of the next step, or, when the transfer has ended, leaves (and is no longer remembered).</summary>
    private void NextStep()
    {
        if (TransferDecider.NextStep(_state, Now) is not { } command)
        {
            PassivateIfDone();
            return;
        }
        var step = ++_step;
        _accounts.Ask<AccountReply>(command, _settings.StepTimeout)
            .PipeTo(Self, success: reply => new StepAnswered(step, reply, null), failure: e => new StepAnswered(step, null, e));
    }

    private void OnStepAnswered(StepAnswered answer)
    {
        if (answer.Step != _step) return;
        StepOutcome? outcome = answer.Reply switch
        {
            AccountReply.Accepted => new StepOutcome.Done(),
            AccountReply.Rejected rejected => new StepOutcome.Refused(rejected.Rejection),
            _ => null, // a timeout, a failed or refused write: the outcome is unknown
        };
        var events = outcome is null ? [] : TransferDecider.OnStep(_state, outcome, Now);
        if (events.Count == 0)
        {
            RetryLater(answer);
            return;
        }
        _attempts = 0;
        var remaining = events.Count;
        PersistAll(events.Select(e => new Tagged(e, Tags)), tagged =>
        {
            _state = TransferDecider.Evolve(_state, (TransferEvent)tagged.Payload);
            if (--remaining == 0) NextStep();
        });
    }

    private void RetryLater(StepAnswered answer)
    {
        var delay = TimeSpan.FromTicks(Math.Min(_settings.MaxBackoff.Ticks, _settings.MinBackoff.Ticks << Math.Min(_attempts, 20)));
        delay = TimeSpan.FromTicks((long)(delay.Ticks * (0.8 + 0.4 * Random.Shared.NextDouble())));
        _attempts++;
        var why = answer.Reply?.ToString() ?? answer.Failure?.GetType().Name ?? "no answer";
        if (answer.Reply is AccountReply.Rejected) _log.Error("Transfer {0} at {1}: the account refused a step that cannot be refused ({2}); retrying in {3}.", _state.TransferId, _state.Stage, why, delay);
        else _log.Info("Transfer {0} at {1}: the step's outcome is unknown ({2}); retry {3} in {4}.", _state.TransferId, _state.Stage, why, _attempts, delay);
        Timers.StartSingleTimer("retry", new RetryStep(_step), delay);
    }

    /// <summary>An ended or never started transfer has nothing to do: it leaves the shard (and its remembered entities).</summary>
    private void PassivateIfDone()
    {
        if (!_checkingSource && (_state.HasEnded || !_state.Exists)) Context.Parent.Tell(new Passivate(PoisonPill.Instance));
    }

    private sealed record SourceChecked(RequestTransfer Command, IActorRef Requester, AccountState? Source, Exception? Failure = null);

    private sealed record StepAnswered(long Step, AccountReply? Reply, Exception? Failure);

    private sealed record RetryStep(long Step);

    private sealed class IdleCheck
    {
        public static readonly IdleCheck Instance = new();
    }
}
