using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Actors.Journal.Query.Tests.Support;

/// <summary>The event the test actors persist (default payload serializer of the system).</summary>
public sealed record Evt(string Text);

/// <summary>Persist <see cref="Text"/> with these tags (none: untagged); the reply is <see cref="Written"/>.</summary>
public sealed record Write(string Text, params string[] Tags);

public sealed record Written(string PersistenceId, long SequenceNr);

/// <summary>Delete the events up to this sequence number; the reply is <see cref="Deleted"/>.</summary>
public sealed record DeleteUpTo(long SequenceNr);

public sealed record Deleted(long SequenceNr);

/// <summary>Answered with <see cref="Pong"/> once the actor recovered (so the journal and its tables are up).</summary>
public sealed record Ping;

public sealed record Pong(long LastSequenceNr);

/// <summary>A persistent actor on the stock Akka.Persistence.Sql journal.</summary>
public sealed class TestPersistentActor : ReceivePersistentActor
{
    private IActorRef? _deleteRequester;

    public TestPersistentActor(string persistenceId)
    {
        PersistenceId = persistenceId;
        Recover<Evt>(_ => { });
        Command<Write>(write =>
        {
            var sender = Sender;
            object @event = write.Tags.Length == 0 ? new Evt(write.Text) : new Tagged(new Evt(write.Text), write.Tags);
            Persist(@event, _ => sender.Tell(new Written(PersistenceId, LastSequenceNr)));
        });
        Command<Ping>(_ => Sender.Tell(new Pong(LastSequenceNr)));
        Command<DeleteUpTo>(delete =>
        {
            _deleteRequester = Sender;
            DeleteMessages(delete.SequenceNr);
        });
        Command<DeleteMessagesSuccess>(success => _deleteRequester?.Tell(new Deleted(success.ToSequenceNr)));
        Command<DeleteMessagesFailure>(failure => _deleteRequester?.Tell(new Status.Failure(failure.Cause)));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new TestPersistentActor(persistenceId));
}
