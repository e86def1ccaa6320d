namespace Actors.Journal;

/// <summary>
/// The journal already holds max-buffered-writes pending AtomicWrites: the database does not keep up. The write fails at
/// once (a failed WriteMessagesAsync, so WriteMessageFailure: the actor stops and its supervisor's backoff gives the
/// database time) instead of waiting or growing memory. Nothing of the write was stored.
/// </summary>
public sealed class JournalBufferFullException(int maxBufferedWrites)
    : Exception($"The journal's write buffer is full ({maxBufferedWrites} pending atomic writes); the write was not attempted. The database does not keep up; retry later.")
{
    public int MaxBufferedWrites { get; } = maxBufferedWrites;
}

/// <summary>
/// A sequence number of the write is already stored for the persistence id (unique (persistence_id, sequence_number)):
/// another writer got there first. Nothing of this AtomicWrite was stored and nothing was overwritten; the other writes
/// of the same batch are not affected.
/// </summary>
public sealed class DuplicateSequenceNumberException(string persistenceId, long fromSequenceNr, long toSequenceNr, Exception? inner = null)
    : Exception($"Sequence number already written (another writer?): persistence id '{persistenceId}', sequence numbers {fromSequenceNr}..{toSequenceNr}; nothing of this write was stored.", inner)
{
    public string PersistenceId { get; } = persistenceId;
    public long FromSequenceNr { get; } = fromSequenceNr;
    public long ToSequenceNr { get; } = toSequenceNr;
}

/// <summary>An earlier write of the same persistence id in the same batch failed, so this later one was not attempted (it would leave a gap).</summary>
public sealed class EarlierWriteFailedException(string persistenceId)
    : Exception($"An earlier write of '{persistenceId}' in the same batch failed, so this later one was not attempted (it would leave a gap).")
{
    public string PersistenceId { get; } = persistenceId;
}
