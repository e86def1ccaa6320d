namespace Actors.Journal.Batching;

/// <summary>One event, serialized into the values of its journal row (and its tag rows).</summary>
internal sealed class EventRow(
    string persistenceId, long sequenceNr, long created, byte[] message, string manifest, int identifier, string? writerUuid, string[] tags)
{
    public string PersistenceId { get; } = persistenceId;
    public long SequenceNr { get; } = sequenceNr;
    /// <summary>journal.created: the event's timestamp, or DateTime.UtcNow.Ticks when it has none (as Akka.Persistence.Sql).</summary>
    public long Created { get; } = created;
    public byte[] Message { get; } = message;
    public string Manifest { get; } = manifest;
    public int Identifier { get; } = identifier;
    public string? WriterUuid { get; } = writerUuid;
    public string[] Tags { get; } = tags;
}

/// <summary>What became of one AtomicWrite.</summary>
internal abstract record WriteResult
{
    private WriteResult() { }

    /// <summary>Committed; <paramref name="Ordering"/> is the ordering of its last event.</summary>
    public sealed record Stored(long Ordering) : WriteResult;

    /// <summary>Not stored, and the journal is (for this write) unhealthy: WriteMessageFailure, the actor stops.</summary>
    public sealed record Failed(Exception Cause) : WriteResult;

    /// <summary>Not stored because of the write itself (it can never be stored): WriteMessageRejected, the actor goes on.</summary>
    public sealed record Rejected(Exception Cause) : WriteResult;
}

/// <summary>One AtomicWrite after serialization. The batch writer decides its <see cref="Outcome"/>.</summary>
internal sealed class PendingWrite(EventRow[] events)
{
    public EventRow[] Events { get; } = events;

    public string PersistenceId => Events[0].PersistenceId;

    public long LowestSequenceNr => Events[0].SequenceNr;

    public long HighestSequenceNr => Events[^1].SequenceNr;

    public WriteResult? Outcome { get; set; }

    public WriteResult.Failed Duplicate(Exception? inner = null) =>
        new(new DuplicateSequenceNumberException(PersistenceId, LowestSequenceNr, HighestSequenceNr, inner));

    public static WriteResult.Failed AfterEarlierFailure(string persistenceId) => new(new EarlierWriteFailedException(persistenceId));
}

/// <summary>Writes one batch of atomic writes to the database, in as few transactions as it can.</summary>
internal interface IBatchWriter : IAsyncDisposable
{
    /// <summary>
    /// Writes the batch. Sets <see cref="PendingWrite.Outcome"/> of each write it decided (Stored only after the commit).
    /// Throws when the whole batch failed (e.g. a broken connection): every write still undecided then fails with that
    /// exception. Returns the number of transactions it committed. With several lanes, called concurrently by each.
    /// </summary>
    Task<int> WriteAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken);
}
