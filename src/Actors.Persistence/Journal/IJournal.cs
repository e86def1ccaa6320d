namespace Actors.Persistence.Journal;

/// <summary>
/// The event journal. Implementations are safe for concurrent use by many actors; they may gather the writes
/// of many callers into one transaction. The unique (persistence id, sequence number) pair is the fence:
/// a second write of a taken sequence number fails and overwrites nothing.
/// </summary>
public interface IJournal
{
    /// <summary>Writes each atomic write all-or-nothing. Returns one result per write, in the same order.</summary>
    Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>Streams the events of one persistence id with from &lt;= seq &lt;= to, at most <paramref name="max"/> of them, oldest first, in pages.</summary>
    IAsyncEnumerable<PersistentRepr> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replays like <see cref="ReplayAsync(string, long, long, long, CancellationToken)"/>, handing each event to
    /// <paramref name="onEvent"/>, in order, before the next one is read (what recovery uses). Journals that read in
    /// pages deliver a fetched page in one synchronous loop: no async enumerator step per event. An exception from
    /// <paramref name="onEvent"/> stops the replay and is thrown as is.
    /// </summary>
    async Task ReplayMessagesAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<PersistentRepr> onEvent,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        await foreach (var repr in ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken).ConfigureAwait(false))
            onEvent(repr);
    }

    /// <summary>The highest sequence number ever stored for the id, also after its events were deleted; 0 for an unknown id.</summary>
    Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr = 0, CancellationToken cancellationToken = default);

    /// <summary>Deletes all events with seq &lt;= <paramref name="toSequenceNr"/>; the highest sequence number is kept.</summary>
    Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default);
}
