namespace Actors.Persistence.Query.Projections;

/// <summary>
/// The events a projection reads: a live stream from an exclusive offset (it returns the events with offset &gt; the
/// one given, in offset order, and keeps waiting for new ones), and the journal's highest offset, for the lag.
/// </summary>
public sealed class ProjectionSource
{
    private readonly Func<long, CancellationToken, IAsyncEnumerable<EventEnvelope>> _events;
    private readonly Func<CancellationToken, Task<long>> _highestOffset;
    private readonly Func<long, CancellationToken, IAsyncEnumerable<EventEnvelope>>? _currentEvents;

    /// <param name="events">The live stream after an offset.</param>
    /// <param name="highestOffset">The journal's highest offset.</param>
    /// <param name="currentEvents">
    /// Optional: the events after an offset that exist now (a finite stream). With it a rebuild of a filtered stream
    /// (a tag) completes when nothing of the stream is left before the rebuild's target, even if the journal's last
    /// events are not in the stream; without it the rebuild completes when the stream reaches the target offset.
    /// </param>
    public ProjectionSource(
        Func<long, CancellationToken, IAsyncEnumerable<EventEnvelope>> events,
        Func<CancellationToken, Task<long>> highestOffset,
        Func<long, CancellationToken, IAsyncEnumerable<EventEnvelope>>? currentEvents = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(highestOffset);
        _events = events;
        _highestOffset = highestOffset;
        _currentEvents = currentEvents;
    }

    /// <summary>The live stream of the events tagged <paramref name="tag"/>.</summary>
    public static ProjectionSource EventsByTag(IReadJournal readJournal, string tag)
    {
        ArgumentNullException.ThrowIfNull(readJournal);
        ArgumentException.ThrowIfNullOrEmpty(tag);
        return new ProjectionSource(
            (offset, ct) => readJournal.EventsByTag(tag, offset, ct),
            readJournal.HighestOffsetAsync,
            (offset, ct) => readJournal.CurrentEventsByTag(tag, offset, ct));
    }

    /// <summary>The live stream of every event of the journal.</summary>
    public static ProjectionSource AllEvents(IReadJournal readJournal)
    {
        ArgumentNullException.ThrowIfNull(readJournal);
        return new ProjectionSource(
            (offset, ct) => readJournal.AllEvents(offset, ct),
            readJournal.HighestOffsetAsync,
            (offset, ct) => readJournal.CurrentAllEvents(offset, ct));
    }

    public IAsyncEnumerable<EventEnvelope> Events(long afterOffset, CancellationToken cancellationToken) => _events(afterOffset, cancellationToken);

    public Task<long> HighestOffsetAsync(CancellationToken cancellationToken) => _highestOffset(cancellationToken);

    /// <summary>
    /// The offset of the first event of the stream after <paramref name="afterOffset"/> that exists now; null when there
    /// is none, or when this source cannot tell (no current query given).
    /// </summary>
    public async Task<(bool Known, long? Offset)> NextOffsetAsync(long afterOffset, CancellationToken cancellationToken)
    {
        if (_currentEvents is null) return (false, null);
        await foreach (var envelope in _currentEvents(afterOffset, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
            return (true, envelope.Offset);
        return (true, null);
    }
}
