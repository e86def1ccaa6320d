using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Actors.Journal.Tests;

/// <summary>Persist these notes (each its own Persist, or all in one PersistAll), tagged with the tags; answers <see cref="Persisted"/>.</summary>
public sealed record PersistNotes(string[] Texts, string[] Tags, bool Atomically = false);

public sealed record Persisted(long LastSequenceNr);

public sealed record GetNotes;

public sealed record Notes(string[] Texts, long LastSequenceNr);

/// <summary>A persistent actor that keeps the texts of its notes: recovered state is what the journal replayed.</summary>
public sealed class NoteTaker : ReceivePersistentActor
{
    private readonly List<string> _texts = [];

    public NoteTaker(string persistenceId, string? journalPluginId = null)
    {
        PersistenceId = persistenceId;
        if (journalPluginId is not null) JournalPluginId = journalPluginId;

        Recover<Note>(note => _texts.Add(note.Text));
        Command<PersistNotes>(command =>
        {
            var sender = Sender;
            var events = command.Texts.Select(t => command.Tags.Length == 0 ? (object)new Note(t) : new Tagged(new Note(t), command.Tags)).ToArray();
            var left = events.Length;
            void Handle(object e)
            {
                _texts.Add(((Note)(e is Tagged tagged ? tagged.Payload : e)).Text);
                if (--left == 0) sender.Tell(new Persisted(LastSequenceNr));
            }
            if (command.Atomically) PersistAll(events, Handle);
            else
            {
                // One AtomicWrite per event on purpose: that is what the journal must batch.
#pragma warning disable AK1006
                foreach (var e in events) Persist(e, Handle);
#pragma warning restore AK1006
            }
        });
        Command<GetNotes>(_ => Sender.Tell(new Notes([.. _texts], LastSequenceNr)));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, string? journalPluginId = null) =>
        Akka.Actor.Props.Create(() => new NoteTaker(persistenceId, journalPluginId));
}
