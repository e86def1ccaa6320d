namespace Actors.Persistence.Query;

/// <summary>One event as a query delivers it.</summary>
/// <param name="Offset">
/// The event's global ordering in the journal. Offsets are exclusive: a query started from offset N returns the
/// events with ordering &gt; N, so a consumer that stores the offset of the last event it handled resumes right after it.
/// 0 means from the beginning.
/// </param>
/// <param name="PersistenceId">The stream the event belongs to.</param>
/// <param name="SequenceNr">The event's position in its stream (1-based).</param>
/// <param name="Timestamp">When the event was written.</param>
/// <param name="Tags">The tags the event was written with (empty when none).</param>
/// <param name="Event">The deserialized payload.</param>
/// <param name="Manifest">The stable type name the payload is stored under.</param>
public sealed record EventEnvelope(
    long Offset,
    string PersistenceId,
    long SequenceNr,
    DateTimeOffset Timestamp,
    IReadOnlyList<string> Tags,
    object Event,
    string Manifest);
