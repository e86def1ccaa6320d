namespace Actors.Persistence.Sql;

/// <summary>
/// A sequence number of the write is already stored for the persistence id: another writer (a second incarnation
/// of the same actor, maybe on another node) got there first. Nothing of the write was stored and nothing was
/// overwritten. Reported as <c>WriteResult.Failed</c>: the actor must stop.
/// </summary>
public sealed class DuplicateSequenceNumberException(string persistenceId, long fromSequenceNr, long toSequenceNr, Exception? inner = null)
    : Exception($"Sequence number already written — another writer? Persistence id '{persistenceId}', sequence numbers {fromSequenceNr}..{toSequenceNr}: nothing of this write was stored.", inner)
{
    public string PersistenceId { get; } = persistenceId;
    public long FromSequenceNr { get; } = fromSequenceNr;
    public long ToSequenceNr { get; } = toSequenceNr;
}
