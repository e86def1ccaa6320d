namespace Actors.Persistence.Query.Projections;

/// <summary>How a projection batches, backs off after failures and reports progress.</summary>
public sealed record ProjectionSettings
{
    /// <summary>
    /// At most this many events per transaction. Batches take whatever the reader has fetched: while catching up
    /// (a rebuild, a restart behind the journal) they fill up to this; when idle each event goes alone. Big catch-up
    /// batches are what makes a replay fast (one commit, one fsync and one write of each touched page per batch, and
    /// one summary write per account instead of one per event); the price is a longer hold of the database's write lock
    /// per batch.
    /// </summary>
    public int MaxBatchSize { get; init; } = 10000;

    /// <summary>How many events the reader may fetch ahead of the handler (the bounded channel between them); at least <see cref="MaxBatchSize"/> lets batches fill up.</summary>
    public int BufferSize { get; init; } = 10000;

    /// <summary>The wait before the first restart after a failure; it doubles with each further failure in a row.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between restarts.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Each backoff is stretched by up to this fraction at random, so that many projections do not retry in lockstep.</summary>
    public double BackoffRandomFactor { get; init; } = 0.2;

    /// <summary>When the source stream ends by itself (a finite source), it is read again from the stored offset after this pause.</summary>
    public TimeSpan ResubscribeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>During a rebuild a progress line is logged at most this often.</summary>
    public TimeSpan ProgressLogInterval { get; init; } = TimeSpan.FromSeconds(5);

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinBackoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackoff, MinBackoff);
        ArgumentOutOfRangeException.ThrowIfNegative(BackoffRandomFactor);
        ArgumentOutOfRangeException.ThrowIfLessThan(ResubscribeInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ProgressLogInterval, TimeSpan.Zero);
    }

    /// <summary>The wait before restart number <paramref name="failuresInARow"/> (1 for the first).</summary>
    public TimeSpan BackoffFor(int failuresInARow, double random)
    {
        var exponent = Math.Clamp(failuresInARow - 1, 0, 30);
        var ticks = Math.Min(MaxBackoff.Ticks, MinBackoff.Ticks * Math.Pow(2, exponent));
        ticks *= 1 + BackoffRandomFactor * Math.Clamp(random, 0, 1);
        return TimeSpan.FromTicks((long)Math.Min(ticks, MaxBackoff.Ticks * (1 + BackoffRandomFactor)));
    }
}
