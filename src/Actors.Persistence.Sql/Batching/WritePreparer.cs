using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;

namespace Actors.Persistence.Sql.Batching;

/// <summary>Serializes an <see cref="AtomicWrite"/> on the caller's thread, before it is queued.</summary>
internal static class WritePreparer
{
    /// <summary>Throws when the write cannot be stored at all (unserializable payload, malformed write): the caller rejects it.</summary>
    public static PendingWrite Prepare(AtomicWrite write, IEventSerializer serializer, string defaultWriterId)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (write.Events is null || write.Events.Count == 0)
            throw new ArgumentException("An atomic write needs at least one event.", nameof(write));

        var persistenceId = write.Events[0].PersistenceId;
        if (string.IsNullOrEmpty(persistenceId))
            throw new ArgumentException("An event needs a persistence id.", nameof(write));

        var now = UnixTime.ToMillis(DateTimeOffset.UtcNow);
        var events = new SerializedEvent[write.Events.Count];
        for (var i = 0; i < events.Length; i++)
        {
            var repr = write.Events[i] ?? throw new ArgumentException("An atomic write holds a null event.", nameof(write));
            if (!string.Equals(repr.PersistenceId, persistenceId, StringComparison.Ordinal))
                throw new ArgumentException(
                    $"An atomic write belongs to one persistence id; it mixes '{persistenceId}' and '{repr.PersistenceId}'.", nameof(write));
            if (repr.Payload is null)
                throw new ArgumentException($"Event {repr.SequenceNr} of '{persistenceId}' has no payload.", nameof(write));

            var serialized = serializer.Serialize(repr.Payload);
            var tags = DistinctTags(repr.Tags, persistenceId, repr.SequenceNr);
            events[i] = new SerializedEvent(
                persistenceId,
                repr.SequenceNr,
                string.IsNullOrEmpty(repr.WriterId) ? defaultWriterId : repr.WriterId,
                serialized.Manifest,
                serialized.Bytes,
                repr.Timestamp == default ? now : UnixTime.ToMillis(repr.Timestamp),
                tags,
                TagsColumn.Write(tags));
        }
        return new PendingWrite(events);
    }

    private static string[] DistinctTags(IReadOnlyList<string>? tags, string persistenceId, long sequenceNr)
    {
        if (tags is null || tags.Count == 0) return [];
        // The common case (an actor's one fixed tag) without a copy: a one-element array is distinct already, and
        // nothing downstream writes to it.
        if (tags is string[] { Length: 1 } single && single[0] is not null) return single;
        var distinct = new List<string>(tags.Count);
        foreach (var tag in tags)
        {
            if (tag is null) throw new ArgumentException($"Event {sequenceNr} of '{persistenceId}' has a null tag.");
            if (!distinct.Contains(tag, StringComparer.Ordinal)) distinct.Add(tag);
        }
        return [.. distinct];
    }
}
