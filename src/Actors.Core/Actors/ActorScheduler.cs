namespace Actors.Core;

public interface ICancelable
{
    void Cancel();
    bool IsCancellationRequested { get; }
}

/// <summary>Sends messages later or repeatedly. For timers owned by an actor prefer <see cref="IWithTimers"/>.</summary>
public sealed class ActorScheduler
{
    public ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender = null) =>
        new ScheduledTell(receiver, message, sender, delay, Timeout.InfiniteTimeSpan);

    public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender = null)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), "The interval must be positive.");
        return new ScheduledTell(receiver, message, sender, initialDelay, interval);
    }

    private sealed class ScheduledTell : ICancelable
    {
        private readonly Timer _timer;
        private int _cancelled;

        public ScheduledTell(IActorRef receiver, object message, IActorRef? sender, TimeSpan delay, TimeSpan interval)
        {
            _timer = new Timer(_ => { if (Volatile.Read(ref _cancelled) == 0) receiver.Tell(message, sender); },
                null, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, interval);
        }

        public bool IsCancellationRequested => Volatile.Read(ref _cancelled) == 1;

        public void Cancel()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) == 0) _timer.Dispose();
        }
    }
}
