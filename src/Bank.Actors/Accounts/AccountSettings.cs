namespace Bank.Actors;

public sealed record AccountSettings
{
    /// <summary>A snapshot is taken once this many events were written since the last one.</summary>
    public int SnapshotEvery { get; init; } = 100;

    /// <summary>How many of the newest snapshots are kept; older ones are deleted.</summary>
    public int KeepSnapshots { get; init; } = 2;

    /// <summary>An account with no message for this long is stopped; the next message brings it back.</summary>
    public TimeSpan PassivateAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How many accepted command ids each account remembers for idempotent retries.</summary>
    public int IdempotencyWindow { get; init; } = 1000;
}
