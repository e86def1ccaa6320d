namespace Actors.Journal.Query;

/// <summary>
/// "Events up to this ordering are committed": the in-process wake-up of the live queries of every fast-sql read
/// journal in the ActorSystem. A journal writer publishes it on the system's EventStream after each committed
/// transaction (<c>system.EventStream.Publish(new JournalWritten(highestOrdering))</c>); live queries then read at once
/// instead of at their next poll. It is only a hint: a reader never trusts it for what is visible (it reads the
/// database, with its own gap safety), so publishing it too often, late, or with a lower value is harmless, and not
/// publishing it only costs latency (poll-interval, or LISTEN/NOTIFY on PostgreSQL).
/// </summary>
/// <param name="HighestOrdering">The highest <c>journal.ordering</c> the transaction wrote (0 when unknown).</param>
public sealed record JournalWritten(long HighestOrdering);
