using Akka.Actor;
using Akka.Persistence.Journal;

namespace Bank.Actors.Tests.Support;

/// <summary>
/// Bound to <see cref="Tagged"/> on the test journal: stores each event as its <see cref="StoredBytes"/> (keeping the tags,
/// so the in-memory journal still indexes them) and gives the journal's readers the event read back from those bytes.
/// </summary>
public sealed class SerializingEventAdapter(ExtendedActorSystem system) : IEventAdapter
{
    public string Manifest(object evt) => "";

    public object ToJournal(object evt) => evt is Tagged tagged
        ? new Tagged(StoredBytes.Of(system.Serialization, tagged.Payload), tagged.Tags)
        : StoredBytes.Of(system.Serialization, evt);

    public IEventSequence FromJournal(object evt, string manifest) => EventSequence.Single(evt switch
    {
        Tagged { Payload: StoredBytes stored } => stored.Load(system.Serialization),
        StoredBytes stored => stored.Load(system.Serialization),
        _ => throw new InvalidOperationException($"The test journal holds a {evt.GetType().Name}, not stored bytes."),
    });
}
