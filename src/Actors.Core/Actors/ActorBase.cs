using Actors.Core.Supervision;

namespace Actors.Core;

/// <summary>
/// The base of every actor. The runtime calls it with one message at a time, never from two threads at once,
/// so an actor's fields need no locks.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    protected ActorBase()
    {
        _cell = ActorCell.Constructing
                ?? throw new ActorInitializationException($"{GetType().Name} must be created through ActorOf(Props), not with new.");
    }

    internal ActorCell Cell => _cell;

    protected IActorContext Context => _cell;
    protected IActorRef Self => _cell;

    /// <summary>The sender of the message being handled; in an async handler, stays the same until it completes.</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>Handles one message; returns false when it does not handle it.</summary>
    protected internal abstract bool Receive(object message);

    /// <summary>The runtime's entry: returns a task only when handling goes on asynchronously (the mailbox waits for it).</summary>
    internal virtual Task? Dispatch(object message)
    {
        if (!Receive(message)) Unhandled(message);
        return null;
    }

    /// <summary>
    /// True for an actor that is told <see cref="Terminated"/> for each of its children that stops, without watching
    /// them. An entity region uses it: watching 100,000 entities cost a watch entry in the region (and a Watch message)
    /// per entity, though a parent hears of its children's end anyway.
    /// </summary>
    internal virtual bool IsToldOfStoppedChildren => false;

    /// <summary>Called once the constructor has run (registration phases end here).</summary>
    internal virtual void AfterConstruction() { }

    /// <summary>Runs <see cref="PreStart"/>; a returned task (e.g. a persistent actor's recovery) holds the mailbox until it completes.</summary>
    internal virtual Task? AroundPreStart()
    {
        PreStart();
        return null;
    }

    /// <summary>Runs <see cref="PostRestart"/> on the fresh instance; a returned task holds the mailbox until it completes.</summary>
    internal virtual Task? AroundPostRestart(Exception reason)
    {
        PostRestart(reason);
        return null;
    }

    protected virtual void Unhandled(object message)
    {
        if (message is Terminated terminated) throw new DeathPactException(terminated.ActorRef);
        _cell.System.PublishUnhandled(new UnhandledMessage(message, _cell.CurrentSenderOrNull, _cell));
    }

    protected internal virtual void PreStart() { }
    protected internal virtual void PostStop() { }

    /// <summary>Before a restart: by default stops all children and calls <see cref="PostStop"/>.</summary>
    protected internal virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children) Context.Stop(child);
        PostStop();
    }

    /// <summary>After a restart, on the fresh instance: by default calls <see cref="PreStart"/>.</summary>
    protected internal virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>How this actor supervises its children; null means the props' strategy or the default.</summary>
    protected internal virtual SupervisorStrategy? SupervisorStrategy() => null;
}
