namespace Actors.Core;

internal sealed partial class ActorCell
{
    public TimeSpan? ReceiveTimeout => _extras?.ReceiveTimeout;

    // One timer per actor that asks for a timeout; activity only stamps a time, so a busy actor never touches the timer.
    public void SetReceiveTimeout(TimeSpan? timeout)
    {
        if (timeout is null || timeout <= TimeSpan.Zero)
        {
            if (_extras is { } existing)
            {
                existing.ReceiveTimeout = null;
                existing.ReceiveTimeoutTimer?.Dispose();
                existing.ReceiveTimeoutTimer = null;
            }
            return;
        }
        var extras = Extras;
        extras.ReceiveTimeout = timeout;
        extras.LastActivity = Environment.TickCount64;
        extras.ReceiveTimeoutTimer ??= new Timer(static state => ((ActorCell)state!).Tell(ReceiveTimeoutTick.Instance, null), this, Timeout.Infinite, Timeout.Infinite);
        extras.ReceiveTimeoutTimer.Change(timeout.Value, Timeout.InfiniteTimeSpan);
    }

    /// <summary>True when the actor really was idle for its timeout; otherwise re-arms the timer for the rest.</summary>
    private bool ReceiveTimeoutElapsed()
    {
        if (_extras is not { ReceiveTimeout: { } timeout, ReceiveTimeoutTimer: { } timer } extras) return false;
        var idleMs = Environment.TickCount64 - extras.LastActivity;
        var timeoutMs = (long)timeout.TotalMilliseconds;
        if (idleMs + 1 >= timeoutMs)
        {
            extras.LastActivity = Environment.TickCount64;
            timer.Change(timeout, Timeout.InfiniteTimeSpan);
            return true;
        }
        timer.Change(TimeSpan.FromMilliseconds(timeoutMs - idleMs), Timeout.InfiniteTimeSpan);
        return false;
    }
}
