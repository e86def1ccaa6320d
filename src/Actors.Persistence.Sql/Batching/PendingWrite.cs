using Actors.Persistence.Journal;

namespace Actors.Persistence.Sql.Batching;

/// <summary>One event, serialized and ready to insert.</summary>
internal sealed record SerializedEvent(
    string PersistenceId,
    long SequenceNr,
    string WriterId,
    string Manifest,
    byte[] Payload,
    long Timestamp,
    string[] Tags,
    string? TagsJson);

/// <summary>One <see cref="AtomicWrite"/> after serialization. The batch writer decides its <see cref="Outcome"/>.</summary>
internal sealed class PendingWrite(SerializedEvent[] events)
{
    public SerializedEvent[] Events { get; } = events;

    public string PersistenceId => Events[0].PersistenceId;

    public long LowestSequenceNr => Events[0].SequenceNr;

    public long HighestSequenceNr => Events[^1].SequenceNr;

    public WriteResult? Outcome { get; set; }

    public DuplicateSequenceNumberException Duplicate(Exception? inner = null) =>
        new(PersistenceId, LowestSequenceNr, HighestSequenceNr, inner);

    /// <summary>The failure for a write that follows a failed write of the same persistence id in the same batch.</summary>
    public static WriteResult.Failed AfterEarlierFailure(string persistenceId) =>
        new(new InvalidOperationException(
            $"An earlier write of '{persistenceId}' in the same batch failed, so this later one was not attempted (it would leave a gap)."));
}
