namespace Actors.Core.Supervision;

public abstract class SupervisorStrategy
{
    /// <summary>Restart on any exception, stop when creation failed, the actor was killed or a death pact broke.</summary>
    public static SupervisorStrategy Default { get; } = new OneForOneStrategy(DefaultDecider);

    /// <summary>Stops the failing child: what the user guardian does when a top-level actor escalates.</summary>
    public static SupervisorStrategy StoppingStrategy { get; } = new OneForOneStrategy(_ => Directive.Stop);

    public static Directive DefaultDecider(Exception cause) => cause switch
    {
        ActorInitializationException => Directive.Stop,
        ActorKilledException => Directive.Stop,
        DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    public abstract Directive Decide(Exception cause);

    /// <summary>Whether a child that has failed may be restarted once more; counts the restart when it may.</summary>
    internal abstract bool RequestRestartPermission(ChildRestartStats stats);
}

/// <summary>Decides for the failing child alone; at most <c>maxNrOfRetries</c> restarts within <c>withinTimeRange</c>, then stop.</summary>
public sealed class OneForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider) : SupervisorStrategy
{
    /// <summary>No limit on restarts.</summary>
    public OneForOneStrategy(Func<Exception, Directive> decider) : this(-1, Timeout.InfiniteTimeSpan, decider) { }

    public int MaxNrOfRetries { get; } = maxNrOfRetries;
    public TimeSpan WithinTimeRange { get; } = withinTimeRange;

    public override Directive Decide(Exception cause) => decider(cause);

    internal override bool RequestRestartPermission(ChildRestartStats stats) =>
        stats.RequestRestartPermission(MaxNrOfRetries, WithinTimeRange);
}

/// <summary>Restart counting of one child, kept by its supervisor.</summary>
internal sealed class ChildRestartStats
{
    private int _retries;
    private long _windowStart;

    public bool RequestRestartPermission(int maxRetries, TimeSpan window)
    {
        if (maxRetries < 0) return true;
        if (maxRetries == 0) return false;
        var now = Environment.TickCount64;
        if (window == Timeout.InfiniteTimeSpan || window <= TimeSpan.Zero)
            return ++_retries <= maxRetries;
        if (_retries == 0 || now - _windowStart > (long)window.TotalMilliseconds)
        {
            _windowStart = now;
            _retries = 1;
            return true;
        }
        return ++_retries <= maxRetries;
    }
}
