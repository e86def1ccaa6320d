using Actors.Core;
using Actors.Core.Supervision;

namespace Actors.Core.Tests;

/// <summary>Sends every message on to <c>target</c>, keeping the sender.</summary>
internal sealed class ForwardActor : ReceiveActor
{
    public ForwardActor(IActorRef target) => ReceiveAny(m => target.Tell(m, Sender));
}

/// <summary>Does nothing with its messages (never replies).</summary>
internal sealed class SilentActor : ReceiveActor
{
    public SilentActor() => ReceiveAny(_ => { });
}

internal sealed record State(int Instance, int Total);

/// <summary>Thrown by a <see cref="Worker"/> on "boom".</summary>
internal sealed class BoomException(string message = "boom") : Exception(message);

/// <summary>
/// A child for the supervision tests: adds up ints and answers <see cref="State"/>; throws on "boom"; reports its
/// lifecycle hooks ("PreStart:1", "PostRestart:2", ...) to <c>lifecycle</c> when given. Instances are numbered per counter.
/// </summary>
internal sealed class Worker : ReceiveActor
{
    private readonly IActorRef? _lifecycle;
    private readonly int _instance;
    private int _total;

    public Worker(InstanceCounter counter, IActorRef? lifecycle = null)
    {
        _lifecycle = lifecycle;
        _instance = counter.Next();
        Receive<int>(n =>
        {
            _total += n;
            Sender.Tell(new State(_instance, _total), Self);
        });
        Receive<string>(_ => throw new BoomException(), m => m == "boom");
        Receive<string>(_ => Sender.Tell(new State(_instance, _total), Self), m => m == "state");
    }

    protected internal override void PreStart() => Report("PreStart");
    protected internal override void PostStop() => Report("PostStop");

    protected internal override void PreRestart(Exception reason, object? message)
    {
        Report($"PreRestart({message})");
        base.PreRestart(reason, message);
    }

    protected internal override void PostRestart(Exception reason)
    {
        Report($"PostRestart({reason.GetType().Name})");
        base.PostRestart(reason);
    }

    private void Report(string hook) => _lifecycle?.Tell($"{hook}:{_instance}", Self);
}

internal sealed class InstanceCounter
{
    private int _count;
    public int Next() => Interlocked.Increment(ref _count);
    public int Count => Volatile.Read(ref _count);
}

internal sealed record ChildCreated(IActorRef Parent, IActorRef Child);

internal sealed record Decided(Exception Cause, Directive Directive);

/// <summary>
/// A parent with one child "child" made from <c>childProps</c>; announces it with <see cref="ChildCreated"/> and
/// reports every decision of its strategy with <see cref="Decided"/>. Forwards other messages to the child.
/// </summary>
internal sealed class Supervisor : ReceiveActor
{
    private readonly SupervisorStrategy _strategy;

    public Supervisor(Props childProps, IActorRef probe, Func<Exception, Directive> decider, int maxNrOfRetries = -1, TimeSpan? within = null)
    {
        var child = Context.ActorOf(childProps, "child");
        probe.Tell(new ChildCreated(Self, child), Self);
        _strategy = new OneForOneStrategy(maxNrOfRetries, within ?? Timeout.InfiniteTimeSpan, cause =>
        {
            var directive = decider(cause);
            probe.Tell(new Decided(cause, directive), Self);
            return directive;
        });
        ReceiveAny(m => child.Forward(m, Context));
    }

    protected internal override SupervisorStrategy SupervisorStrategy() => _strategy;
}
