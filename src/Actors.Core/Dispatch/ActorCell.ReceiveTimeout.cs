namespace Actors.Core;

internal sealed partial class ActorCell
{
    public TimeSpan? ReceiveTimeout => _receiveTimeout?.Timeout;

    // The actor's entry sits on the system's receive-timeout wheel (one timer for all actors instead of a Timer per actor,
    // which cost ~150 bytes each). Activity only stamps a time in the entry, so a busy actor never touches the wheel.
    public void SetReceiveTimeout(TimeSpan? timeout)
    {
        if (timeout is null || timeout <= TimeSpan.Zero)
        {
            if (_receiveTimeout is { } existing)
            {
                _receiveTimeout = null;
                _system.ReceiveTimeouts.Cancel(existing);
            }
            return;
        }
        var entry = _receiveTimeout ??= new ReceiveTimeoutEntry(this);
        var now = MonotonicClock.Milliseconds;
        entry.Timeout = timeout.Value;
        Volatile.Write(ref entry.LastActivity, now);
        _system.ReceiveTimeouts.Arm(entry, now + entry.TimeoutMs);
    }

    /// <summary>
    /// On the wheel's tick: true when the actor really was idle for its timeout (and the timeout starts again);
    /// otherwise the entry goes back on the wheel for the rest of the time.
    /// </summary>
    private bool ReceiveTimeoutElapsed()
    {
        if (_receiveTimeout is not { } entry) return false; // switched off after the tick was sent
        var now = MonotonicClock.Milliseconds;
        var lastActivity = entry.LastActivity;
        var timeoutMs = entry.TimeoutMs;
        if (now - lastActivity >= timeoutMs)
        {
            Volatile.Write(ref entry.LastActivity, now);
            _system.ReceiveTimeouts.Arm(entry, now + timeoutMs);
            return true;
        }
        _system.ReceiveTimeouts.Arm(entry, lastActivity + timeoutMs);
        return false;
    }
}
