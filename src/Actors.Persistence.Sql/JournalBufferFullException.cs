namespace Actors.Persistence.Sql;

/// <summary>
/// The journal already holds its maximum of pending writes (MaxBufferedWrites): the database does not keep up.
/// Reported as <c>WriteResult.Failed</c>, never thrown and never waited on, so a flood of writers cannot grow memory
/// without limit or pile up blocked callers. Failed (not Rejected) because the journal is not healthy at that moment:
/// the persisting actor stops, and its supervisor's backoff gives the database time to catch up.
/// </summary>
public sealed class JournalBufferFullException(int maxBufferedWrites)
    : Exception($"The journal's write buffer is full ({maxBufferedWrites} pending atomic writes); the write was not attempted. The database does not keep up; retry later.")
{
    public int MaxBufferedWrites { get; } = maxBufferedWrites;
}
