using Akka.Actor;
using Akka.Persistence.Journal;
using Akka.Persistence.Query;
using Akka;

namespace Actors.Journal.Query.Internal;

/// <summary>
/// Turns stored rows into envelopes as the stock Akka.Persistence.Sql read journal does: the payload through the
/// ActorSystem's serialization (<c>identifier</c> = serializer id, <c>manifest</c>; a legacy row without identifier
/// names its type in the manifest), then the write plugin's event adapters if configured; the envelope's offset is
/// <c>Offset.Sequence(ordering)</c> and its timestamp the <c>created</c> column.
/// </summary>
internal sealed class EventDecoder(ExtendedActorSystem system, EventAdapters? adapters)
{
    private readonly Akka.Serialization.Serialization _serialization = system.Serialization;

    /// <summary>Decodes a page; actor references in payloads resolve against this system (as with WithTransport).</summary>
    public void Decode(IReadOnlyList<StoredEvent> rows, List<EventEnvelope> output) =>
        Akka.Serialization.Serialization.WithTransport(system, (this, rows, output), static state =>
        {
            var (self, rows, output) = state;
            foreach (var row in rows) self.DecodeOne(row, output);
            return NotUsed.Instance;
        });

    private void DecodeOne(in StoredEvent row, List<EventEnvelope> output)
    {
        var payload = row.SerializerId is { } id
            ? _serialization.Deserialize(row.Message!, id, row.Manifest)
            : DeserializeLegacy(row);
        var offset = Offset.Sequence(row.Ordering);
        if (adapters is null)
        {
            output.Add(new EventEnvelope(offset, row.PersistenceId, row.SequenceNr, payload, row.Created, row.Tags));
            return;
        }
        var adapter = adapters.Get(payload.GetType());
        foreach (var adapted in adapter.FromJournal(payload, row.Manifest).Events)
            output.Add(new EventEnvelope(offset, row.PersistenceId, row.SequenceNr, adapted, row.Created, row.Tags));
    }

    private object DeserializeLegacy(in StoredEvent row)
    {
        var type = Type.GetType(row.Manifest, throwOnError: true)!;
        return _serialization.FindSerializerForType(type).FromBinary(row.Message!, type);
    }
}
