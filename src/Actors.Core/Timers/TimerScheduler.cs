namespace Actors.Core;

/// <summary>A timer's message on its way through the mailbox; dropped there if its timer was cancelled or replaced meanwhile.</summary>
internal sealed class TimerMessage(TimerScheduler owner, object key, int generation, object message) : IRuntimeMessage
{
    public TimerScheduler Owner { get; } = owner;
    public object Key { get; } = key;
    public int Generation { get; } = generation;
    public object Message { get; } = message;
}

/// <summary>The actor's timers. Used only from the actor's own thread; the timer callbacks only post messages.</summary>
internal sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, Entry> _timers = [];
    private int _generation;

    private sealed record Entry(Timer Timer, int Generation, bool Periodic);

    public void StartSingleTimer(object key, object message, TimeSpan delay) => Start(key, message, delay, Timeout.InfiniteTimeSpan);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) => Start(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval) => Start(key, message, initialDelay, interval);

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var entry)) entry.Timer.Dispose();
    }

    public void CancelAll()
    {
        foreach (var entry in _timers.Values) entry.Timer.Dispose();
        _timers.Clear();
    }

    internal bool TryAccept(TimerMessage message)
    {
        if (!_timers.TryGetValue(message.Key, out var entry) || entry.Generation != message.Generation) return false;
        if (!entry.Periodic)
        {
            _timers.Remove(message.Key);
            entry.Timer.Dispose();
        }
        return true;
    }

    private void Start(object key, object message, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        if (period != Timeout.InfiniteTimeSpan && period <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(period), "A periodic timer needs a positive interval.");
        Cancel(key);
        var generation = ++_generation;
        var timerMessage = new TimerMessage(this, key, generation, message);
        var timer = new Timer(static state => { var m = (TimerMessage)state!; m.Owner.Post(m); }, timerMessage, Timeout.Infinite, Timeout.Infinite);
        _timers[key] = new Entry(timer, generation, period != Timeout.InfiniteTimeSpan);
        timer.Change(dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime, period);
    }

    private void Post(TimerMessage message) => cell.Tell(message, null);
}
