namespace Actors.Persistence.Journal;

/// <summary>The events of one Persist/PersistAll call: written all together or not at all.</summary>
public sealed record AtomicWrite(IReadOnlyList<PersistentRepr> Events)
{
    public AtomicWrite(PersistentRepr single) : this([single]) { }

    public string PersistenceId => Events[0].PersistenceId;
    public long LowestSequenceNr => Events[0].SequenceNr;
    public long HighestSequenceNr => Events[^1].SequenceNr;
}
