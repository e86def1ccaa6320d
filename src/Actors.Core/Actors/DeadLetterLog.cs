using Actors.Core.Logging;

namespace Actors.Core;

/// <summary>Logs dead letters without flooding the log: a few per interval, then one line with how many were left out.</summary>
internal sealed class DeadLetterLog(ActorSystem system)
{
    private long _windowStart = Environment.TickCount64;
    private int _loggedInWindow;
    private int _suppressedInWindow;

    public void Record(DeadLetter deadLetter)
    {
        var settings = system.Settings;
        if (!system.LogSink.IsEnabled(ActorLogLevel.Info) || settings.DeadLetterLogLimit <= 0) return;

        var now = Environment.TickCount64;
        var windowStart = Interlocked.Read(ref _windowStart);
        if (now - windowStart > (long)settings.DeadLetterLogInterval.TotalMilliseconds
            && Interlocked.CompareExchange(ref _windowStart, now, windowStart) == windowStart)
        {
            var suppressed = Interlocked.Exchange(ref _suppressedInWindow, 0);
            Interlocked.Exchange(ref _loggedInWindow, 0);
            if (suppressed > 0)
                system.LogSink.Log(ActorLogLevel.Info, "deadLetters", $"{suppressed} more dead letters were not logged.", null);
        }

        if (Interlocked.Increment(ref _loggedInWindow) <= settings.DeadLetterLogLimit)
        {
            system.LogSink.Log(ActorLogLevel.Info, "deadLetters",
                $"Message {deadLetter.Message.GetType().Name} from {deadLetter.Sender?.Path.ToString() ?? "no sender"} to {deadLetter.Recipient.Path} was not delivered (dead letters so far: {system.DeadLetterCount}).",
                null);
        }
        else
        {
            Interlocked.Increment(ref _suppressedInWindow);
        }
    }
}
