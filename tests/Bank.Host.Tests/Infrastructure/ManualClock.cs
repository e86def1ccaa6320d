namespace Bank.Host.Tests.Infrastructure;

/// <summary>A clock the test sets; it does not move by itself.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    public ManualClock() : this(new DateTimeOffset(2030, 1, 1, 9, 0, 0, TimeSpan.Zero))
    {
    }

    public DateTimeOffset Now
    {
        get => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _utcTicks, value.UtcTicks);
    }

    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);

    /// <summary>When set, reading the clock throws it: a faulty dependency, for the host's 500 path.</summary>
    public Exception? Fault { get; set; }

    public override DateTimeOffset GetUtcNow() => Fault is { } fault ? throw fault : Now;
}
