using Akka;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;

namespace Bank.ReadModels.Projections;

/// <summary>
/// What a projection reads, from Akka.Persistence.Query's read journal: the live stream of the events tagged
/// <see cref="Tag"/> after an offset (<c>EventsByTag(tag, Offset.Sequence(ordering))</c>, exclusive), and the events of
/// one persistence id between two sequence numbers (<c>CurrentEventsByPersistenceId</c>) to fetch what the live stream
/// skipped. The offsets must be <see cref="Sequence"/> journal orderings (Akka.Persistence.Sql's).
/// </summary>
public sealed class ProjectionSource
{
    private readonly Func<long, Source<EventEnvelope, NotUsed>> _eventsAfter;
    private readonly Func<string, long, long, Source<EventEnvelope, NotUsed>> _eventsOf;

    public ProjectionSource(string tag, Func<long, Source<EventEnvelope, NotUsed>> eventsAfter,
        Func<string, long, long, Source<EventEnvelope, NotUsed>> eventsOfPersistenceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        ArgumentNullException.ThrowIfNull(eventsAfter);
        ArgumentNullException.ThrowIfNull(eventsOfPersistenceId);
        Tag = tag;
        _eventsAfter = eventsAfter;
        _eventsOf = eventsOfPersistenceId;
    }

    /// <summary>The events tagged <paramref name="tag"/> of <paramref name="readJournal"/> (e.g. Akka.Persistence.Sql's SqlReadJournal).</summary>
    public static ProjectionSource EventsByTag<TJournal>(TJournal readJournal, string tag)
        where TJournal : IEventsByTagQuery, ICurrentEventsByPersistenceIdQuery
    {
        ArgumentNullException.ThrowIfNull(readJournal);
        return new ProjectionSource(tag,
            offset => readJournal.EventsByTag(tag, Offset.Sequence(offset)),
            (persistenceId, from, to) => readJournal.CurrentEventsByPersistenceId(persistenceId, from, to));
    }

    public string Tag { get; }

    /// <summary>The live stream of the tagged events with an ordering above <paramref name="offset"/>.</summary>
    public Source<EventEnvelope, NotUsed> EventsAfter(long offset) => _eventsAfter(offset);

    /// <summary>The events of <paramref name="persistenceId"/> from..to (inclusive) that exist now.</summary>
    public Source<EventEnvelope, NotUsed> EventsOf(string persistenceId, long fromSequenceNr, long toSequenceNr) =>
        _eventsOf(persistenceId, fromSequenceNr, toSequenceNr);

    /// <summary>The journal ordering of an envelope (its <see cref="Sequence"/> offset).</summary>
    public static long OrderingOf(EventEnvelope envelope) => envelope.Offset switch
    {
        Sequence sequence => sequence.Value,
        var other => throw new InvalidOperationException(
            $"The event {envelope.PersistenceId} #{envelope.SequenceNr} has a {other?.GetType().Name ?? "null"} offset; a projection needs journal orderings (Offset.Sequence)."),
    };

    /// <summary>
    /// The time of an envelope: Akka.Persistence.Sql stores <c>DateTime.UtcNow.Ticks</c>; other journals use unix
    /// milliseconds. Anything too small to be ticks of this century is read as milliseconds.
    /// </summary>
    public static DateTimeOffset TimestampOf(EventEnvelope envelope)
    {
        var value = envelope.Timestamp;
        if (value <= 0) return DateTimeOffset.UnixEpoch;
        return value > 100_000_000_000_000L && value <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(value, TimeSpan.Zero)
            : DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(value, 253_402_300_799_999L));
    }
}
