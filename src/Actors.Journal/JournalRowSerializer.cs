using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Serialization;
using Actors.Journal.Batching;

namespace Actors.Journal;

/// <summary>
/// Turns events into journal rows and back exactly as Akka.Persistence.Sql's ByteArrayJournalSerializer does (tag-write-mode
/// TagTable): message = the payload's bytes from the serializer Akka finds for its type (the plugin's `serializer` as the
/// fallback), identifier = that serializer's id, manifest = its string manifest (or the type name when it includes one,
/// else ""), created = the event's timestamp or DateTime.UtcNow.Ticks, writer_uuid = the journal instance's uuid, tags from
/// a <see cref="Tagged"/> payload (which is unwrapped).
/// </summary>
internal sealed class JournalRowSerializer(ActorSystem system, string? defaultSerializer, string? writerUuid)
{
    private readonly Akka.Serialization.Serialization _serialization = system.Serialization;

    /// <summary>Serializes one AtomicWrite; throws when it cannot be stored at all (the caller rejects it).</summary>
    public PendingWrite Prepare(AtomicWrite write, long now)
    {
        if (write.Payload is not IReadOnlyList<IPersistentRepresentation> payloads || payloads.Count == 0)
            throw new ArgumentException(
                $"{write.PersistenceId} received an empty payload for sequence numbers {write.LowestSequenceNr} - {write.HighestSequenceNr}.");

        var events = new EventRow[payloads.Count];
        var persistenceId = payloads[0].PersistenceId;
        for (var i = 0; i < events.Length; i++)
        {
            var repr = payloads[i];
            if (!string.Equals(repr.PersistenceId, persistenceId, StringComparison.Ordinal))
                throw new ArgumentException($"An atomic write belongs to one persistence id; it mixes '{persistenceId}' and '{repr.PersistenceId}'.");
            events[i] = Serialize(repr, now);
        }
        return new PendingWrite(events);
    }

    private EventRow Serialize(IPersistentRepresentation repr, long now)
    {
        var payload = repr.Payload;
        string[] tags = [];
        if (payload is Tagged tagged)
        {
            payload = tagged.Payload;
            if (tagged.Tags is { Count: > 0 } set) tags = [.. set];
        }
        ArgumentNullException.ThrowIfNull(payload, nameof(repr.Payload));

        var serializer = _serialization.FindSerializerForType(payload.GetType(), defaultSerializer);
        // Inside the transport scope, like Akka.Persistence.Sql: actor references in payloads serialize with their full address.
        var (bytes, manifest) = Akka.Serialization.Serialization.WithTransport(
            _serialization.System,
            (serializer, payload),
            static state => (state.serializer.ToBinary(state.payload), Akka.Serialization.Serialization.ManifestFor(state.serializer, state.payload)));

        return new EventRow(
            repr.PersistenceId,
            repr.SequenceNr,
            repr.Timestamp == 0 ? now : repr.Timestamp,
            bytes,
            manifest,
            serializer.Identifier,
            writerUuid,
            tags);
    }

    /// <summary>
    /// The current row of a replay query selecting <c>sequence_number, message, manifest, identifier, writer_uuid,
    /// created</c> (in that order), on either database.
    /// </summary>
    public IPersistentRepresentation DeserializeReplayRow(string persistenceId, System.Data.Common.DbDataReader reader) => Deserialize(
        persistenceId,
        reader.GetInt64(0),
        reader.GetFieldValue<byte[]>(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetInt32(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetInt64(5),
        deleted: false);

    /// <summary>A replayed row as Akka.Persistence.Sql gives it: manifest = the serializer manifest, tags not re-wrapped.</summary>
    public IPersistentRepresentation Deserialize(
        string persistenceId, long sequenceNr, byte[] message, string? manifest, int? identifier, string? writerUuid, long created, bool deleted)
    {
        object payload;
        if (identifier is { } id)
        {
            payload = _serialization.Deserialize(message, id, manifest ?? "");
        }
        else
        {
            // Rows of very old writers without a serializer id: the manifest is the CLR type name.
            var type = Type.GetType(manifest ?? "", throwOnError: true)!;
            var serializer = _serialization.FindSerializerForType(type, defaultSerializer);
            payload = Akka.Serialization.Serialization.WithTransport(
                _serialization.System, (serializer, message, type), static s => s.serializer.FromBinary(s.message, s.type));
        }
        return new Persistent(payload, sequenceNr, persistenceId, manifest ?? "", deleted, ActorRefs.NoSender, writerUuid, created);
    }
}
