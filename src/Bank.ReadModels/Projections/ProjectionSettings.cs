using Akka.Configuration;

namespace Bank.ReadModels.Projections;

/// <summary>How a projection batches, backs off after failures, looks for skipped events and reports progress.</summary>
public sealed record ProjectionSettings
{
    /// <summary>
    /// At most this many events per transaction. Batches take whatever the stream has delivered while the previous batch
    /// was being written: while catching up they fill up to this; when idle each event goes alone. Big catch-up batches
    /// make a replay fast (one commit and one write per touched account per batch); the price is a longer hold of the
    /// database's write lock per batch.
    /// </summary>
    public int MaxBatchSize { get; init; } = 1000;

    /// <summary>The wait before the first restart after a failure; it doubles with each further failure in a row.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between restarts.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Each backoff is stretched by up to this fraction at random, so that many projections do not retry in lockstep.</summary>
    public double BackoffRandomFactor { get; init; } = 0.2;

    /// <summary>During a rebuild a progress line is logged at most this often.</summary>
    public TimeSpan ProgressLogInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the journal orderings the stream jumped over and that were not in the journal yet (transactions still
    /// open, or rolled back) are looked up again. Also how often a rebuild checks whether anything of its stream is left.
    /// </summary>
    public TimeSpan GapCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A jumped-over ordering still missing from the journal after this long is dropped with a warning: a rolled-back
    /// insert leaves a permanent hole in the identity sequence, and no transaction stays open this long.
    /// </summary>
    public TimeSpan GapGiveUpAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A tagged event in the journal after the offset that the stream has not delivered for this long (while the gap checks
    /// saw it there) was skipped by the read journal with nothing of the tag after it to reveal it: the stream is
    /// subscribed again from the stored offset. Keep it well above the read journal's normal delay (refresh-interval plus
    /// journal-sequence-retrieval max-tries x query-delay).
    /// </summary>
    public TimeSpan StalledStreamTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many pending gaps are looked up per check (the oldest first); the rest wait for the next.</summary>
    public int MaxGapsPerCheck { get; init; } = 256;

    /// <summary>
    /// After a batch smaller than <see cref="MaxBatchSize"/>, when the journal holds less than a full batch beyond it (the
    /// projection has caught up), the next one starts no sooner than this: what arrives meanwhile goes into it. Under a
    /// steady stream of writes the read model then commits a few larger transactions instead of one per journal commit
    /// (each has a fixed cost: connection, offset, journal checks); an event waits at most this long more. Zero: the next
    /// batch starts at once. A full batch, and any batch while a full one or more waits in the journal (catch-up,
    /// rebuilds), never waits.
    /// </summary>
    public TimeSpan MinBatchInterval { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// The settings of a HOCON section, e.g. <c>bank.read-model.projection</c>; a key that is missing keeps its default:
    /// <c>max-batch-size</c>, <c>min-backoff</c>, <c>max-backoff</c>, <c>backoff-random-factor</c>, <c>progress-log-interval</c>,
    /// <c>gap-check-interval</c>, <c>gap-give-up-after</c>, <c>max-gaps-per-check</c>, <c>stalled-stream-timeout</c>,
    /// <c>min-batch-interval</c>.
    /// </summary>
    public static ProjectionSettings FromConfig(Config? section)
    {
        var defaults = new ProjectionSettings();
        if (section is null || section.IsEmpty) return defaults;
        var settings = new ProjectionSettings
        {
            MaxBatchSize = section.GetInt("max-batch-size", defaults.MaxBatchSize),
            MinBackoff = section.GetTimeSpan("min-backoff", defaults.MinBackoff, allowInfinite: false),
            MaxBackoff = section.GetTimeSpan("max-backoff", defaults.MaxBackoff, allowInfinite: false),
            BackoffRandomFactor = section.GetDouble("backoff-random-factor", defaults.BackoffRandomFactor),
            ProgressLogInterval = section.GetTimeSpan("progress-log-interval", defaults.ProgressLogInterval, allowInfinite: false),
            GapCheckInterval = section.GetTimeSpan("gap-check-interval", defaults.GapCheckInterval, allowInfinite: false),
            GapGiveUpAfter = section.GetTimeSpan("gap-give-up-after", defaults.GapGiveUpAfter, allowInfinite: false),
            MaxGapsPerCheck = section.GetInt("max-gaps-per-check", defaults.MaxGapsPerCheck),
            StalledStreamTimeout = section.GetTimeSpan("stalled-stream-timeout", defaults.StalledStreamTimeout, allowInfinite: false),
            MinBatchInterval = section.GetTimeSpan("min-batch-interval", defaults.MinBatchInterval, allowInfinite: false),
        };
        settings.Validate();
        return settings;
    }

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinBackoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackoff, MinBackoff);
        ArgumentOutOfRangeException.ThrowIfNegative(BackoffRandomFactor);
        ArgumentOutOfRangeException.ThrowIfLessThan(ProgressLogInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(GapCheckInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(GapGiveUpAfter, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxGapsPerCheck, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(StalledStreamTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinBatchInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MinBatchInterval, TimeSpan.FromSeconds(10));
    }
}
