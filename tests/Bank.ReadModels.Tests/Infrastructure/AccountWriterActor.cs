using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Bank.ReadModels.Tests.Infrastructure;

/// <summary>
/// A persistent actor that writes what it is given, as the account actor would: the events of one <see cref="Write"/>
/// in one atomic write, each tagged "account" (or untagged, to play another kind of writer). Deciding is the test's job
/// (<see cref="AccountWriter"/>), so every event and timestamp is under the test's control.
/// </summary>
public sealed class AccountWriterActor : ReceivePersistentActor
{
    /// <summary>Persist these events; answered with <see cref="Written"/> once they are durable.</summary>
    public sealed record Write(IReadOnlyList<object> Events, bool Tagged = true);

    public sealed record Written(long LastSequenceNr);

    /// <summary>Answered with <see cref="Written"/> once recovered (so once the journal has initialized its tables).</summary>
    public sealed record Ping
    {
        public static readonly Ping Instance = new();
    }

    public AccountWriterActor(string persistenceId)
    {
        PersistenceId = persistenceId;
        RecoverAny(_ => { });
        Command<Ping>(_ => Sender.Tell(new Written(LastSequenceNr)));
        Command<Write>(write =>
        {
            var sender = Sender;
            var remaining = write.Events.Count;
            if (remaining == 0)
            {
                sender.Tell(new Written(LastSequenceNr));
                return;
            }
            var payloads = write.Events.Select(e => write.Tagged ? new Tagged(e, [BankReadModel.AccountTag]) : e);
            PersistAll(payloads, _ =>
            {
                if (--remaining == 0) sender.Tell(new Written(LastSequenceNr));
            });
        });
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new AccountWriterActor(persistenceId));

    /// <summary>The persistence id of an account's events (not the account id: the read model must map one to the other).</summary>
    public static string PersistenceIdOf(string accountId) => "account-" + accountId;
}
