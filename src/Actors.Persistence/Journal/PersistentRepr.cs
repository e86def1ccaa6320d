namespace Actors.Persistence.Journal;

/// <summary>One event as the journal sees it: the payload plus where it sits in its stream and in the global order.</summary>
public sealed record PersistentRepr(
    string PersistenceId,
    long SequenceNr,
    object Payload,
    string WriterId,
    DateTimeOffset Timestamp,
    IReadOnlyList<string> Tags)
{
    /// <summary>The stable type name the payload was stored under; empty until the journal serialized or read it.</summary>
    public string Manifest { get; init; } = "";

    /// <summary>Global position in the journal (1-based); 0 when not known, e.g. before the write.</summary>
    public long Ordering { get; init; }

    public static IReadOnlyList<string> NoTags { get; } = [];
}
