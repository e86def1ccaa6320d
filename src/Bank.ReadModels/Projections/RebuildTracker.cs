namespace Bank.ReadModels.Projections;

/// <summary>A rebuild as it goes (mutated under the projection's status lock); <see cref="Snapshot"/> gives the public view.</summary>
internal sealed class RebuildTracker(DateTimeOffset startedAt, long targetOffset, long startTimestamp)
{
    private TimeSpan? _duration;

    public DateTimeOffset StartedAt { get; } = startedAt;
    public long TargetOffset { get; } = targetOffset;
    public long StartTimestamp { get; } = startTimestamp;
    public long LastLogTimestamp { get; set; } = startTimestamp;
    public long EventsDone { get; set; }
    public long Offset { get; set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public bool Completed => CompletedAt is not null;

    public void Complete(DateTimeOffset at, TimeSpan duration)
    {
        CompletedAt = at;
        _duration = duration;
    }

    public RebuildProgress Snapshot(TimeProvider time)
    {
        var elapsed = _duration ?? time.GetElapsedTime(StartTimestamp);
        var rate = elapsed.TotalSeconds > 0 ? EventsDone / elapsed.TotalSeconds : 0;
        return new RebuildProgress(StartedAt, TargetOffset, EventsDone, Offset, rate, CompletedAt);
    }
}
