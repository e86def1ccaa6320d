using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.TestKit;
using Bank.Actors.Accounts;
using Bank.Domain;

namespace Bank.Actors.Tests.Support;

/// <summary>
/// A TestKit on the in-memory test journal and snapshot store (<see cref="SpecConfig.Persistence"/>), with the
/// journal's fault injection and readers of what the journal and the snapshot store hold.
/// </summary>
public abstract class AccountSpec(ITestOutputHelper output, Config? config = null)
    : Akka.TestKit.Xunit2.TestKit(config ?? SpecConfig.Persistence, output: output)
{
    protected static readonly DateTimeOffset At = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private PersistenceExtension Persistence => Akka.Persistence.Persistence.Instance.Apply(Sys);

    protected ITestJournal Journal => TestJournal.FromRef(Persistence.JournalFor(null));

    /// <summary>Runs <paramref name="execution"/> with the journal's writes behaving as <paramref name="behaviour"/> says, then lets them pass again.</summary>
    protected async Task WithJournalWrite(Func<JournalWriteBehavior, Task> behaviour, Func<Task> execution)
    {
        await behaviour(Journal.OnWrite);
        try { await execution(); }
        finally { await Journal.OnWrite.Pass(); }
    }

    /// <summary>Every event the journal holds for <paramref name="persistenceId"/>, read back through the bank serializer, and the highest sequence number.</summary>
    protected async Task<(IReadOnlyList<IPersistentRepresentation> Events, long HighestSequenceNr)> JournalOf(string persistenceId)
    {
        var reader = CreateTestProbe();
        Persistence.JournalFor(null).Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, persistenceId, reader.Ref));
        var events = new List<IPersistentRepresentation>();
        while (true)
        {
            switch (await reader.ExpectMsgAsync<object>())
            {
                case ReplayedMessage replayed: events.Add(replayed.Persistent); break;
                case RecoverySuccess done: return (events, done.HighestSequenceNr);
                case var other: throw new InvalidOperationException($"The journal answered {other} to a replay.");
            }
        }
    }

    /// <summary>(persistence id, sequence number) of every event the journal holds under <paramref name="tag"/>, in journal order.</summary>
    protected async Task<IReadOnlyList<(string PersistenceId, long SequenceNr)>> TaggedWith(string tag)
    {
        var reader = CreateTestProbe();
        Persistence.JournalFor(null).Tell(new MemoryJournal.ReplayTaggedMessages(0, int.MaxValue, int.MaxValue, tag, reader.Ref));
        var tagged = new List<(string, long)>();
        while (true)
        {
            switch (await reader.ExpectMsgAsync<object>())
            {
                case MemoryJournal.ReplayedTaggedMessage replayed: tagged.Add((replayed.Persistent.PersistenceId, replayed.Persistent.SequenceNr)); break;
                case MemoryJournal.ReplayTaggedMessagesSuccess: return tagged;
                case var other: throw new InvalidOperationException($"The journal answered {other} to a replay by tag.");
            }
        }
    }

    /// <summary>The newest snapshot of <paramref name="persistenceId"/> at or below <paramref name="maxSequenceNr"/>, read back through the bank serializer.</summary>
    protected async Task<SelectedSnapshot?> SnapshotOf(string persistenceId, long maxSequenceNr = long.MaxValue)
    {
        var reader = CreateTestProbe();
        Persistence.SnapshotStoreFor(null).Tell(new LoadSnapshot(persistenceId, new SnapshotSelectionCriteria(maxSequenceNr), long.MaxValue), reader.Ref);
        return (await reader.ExpectMsgAsync<LoadSnapshotResult>()).Snapshot;
    }

    protected IActorRef StartAccount(string accountId, AccountSettings settings) => Sys.ActorOf(AccountActor.Props(accountId, settings));

    /// <summary>Stops <paramref name="account"/> and waits until it is gone, so that a new incarnation can recover.</summary>
    protected async Task Kill(IActorRef account)
    {
        Watch(account);
        account.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(account);
        Unwatch(account);
    }

    protected async Task<AccountReply> Send(IActorRef account, AccountCommand command)
    {
        account.Tell(command, TestActor);
        return await ExpectMsgAsync<AccountReply>();
    }

    protected async Task<AccountView> Accepted(IActorRef account, AccountCommand command)
    {
        var accepted = Assert.IsType<AccountReply.Accepted>(await Send(account, command));
        Assert.False(accepted.WasDuplicate);
        return accepted.View;
    }

    protected async Task<AccountState> StateOf(IActorRef account, string accountId)
    {
        account.Tell(new GetAccount(accountId), TestActor);
        return await ExpectMsgAsync<AccountState>();
    }

    protected static OpenAccount Open(string id, decimal initialDeposit = 0m, Guid? commandId = null) =>
        new(id, "Ada Lovelace", "EUR", initialDeposit, commandId ?? Guid.NewGuid(), At);

    protected static Deposit DepositOf(string id, decimal amount, Guid? commandId = null) => new(id, amount, commandId ?? Guid.NewGuid(), At);

    protected static Withdraw WithdrawalOf(string id, decimal amount, Guid? commandId = null) => new(id, amount, commandId ?? Guid.NewGuid(), At);
}
