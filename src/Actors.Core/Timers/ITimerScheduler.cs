namespace Actors.Core;

/// <summary>An actor with timers that belong to it: they are cancelled when it stops or restarts.</summary>
public interface IWithTimers
{
    /// <summary>Set by the runtime when the actor is created.</summary>
    ITimerScheduler Timers { get; set; }
}

/// <summary>
/// Timers keyed by any object. Starting a timer with a key in use replaces the old one, and a message of a
/// cancelled or replaced timer is never delivered, even if it was already in the mailbox.
/// </summary>
public interface ITimerScheduler
{
    void StartSingleTimer(object key, object message, TimeSpan delay);
    void StartPeriodicTimer(object key, object message, TimeSpan interval);
    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);
    bool IsTimerActive(object key);
    void Cancel(object key);
    void CancelAll();
}
