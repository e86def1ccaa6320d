using Actors.Core.Supervision;

namespace Actors.Core;

/// <summary>The parent of all top-level actors (/user) or of the runtime's own (/system).</summary>
internal sealed class GuardianActor : ActorBase
{
    protected internal override bool Receive(object message) => false;

    protected override void Unhandled(object message)
    {
        // Terminated of top-level actors watched by nobody else is expected here; nothing to do.
        if (message is not Terminated) base.Unhandled(message);
    }

    // A failing top-level actor restarts like any other; it never takes the guardian (and the process) down.
    protected internal override SupervisorStrategy SupervisorStrategy() => Supervision.SupervisorStrategy.Default;
}

/// <summary>Stops the user actors first, then the system actors, then itself: an ordered shutdown.</summary>
internal sealed class RootGuardian : ActorBase
{
    internal sealed class StopSystem
    {
        public static readonly StopSystem Instance = new();
    }

    protected internal override bool Receive(object message)
    {
        switch (message)
        {
            case StopSystem:
                StopNext("user");
                return true;
            case Terminated { ActorRef.Path.Name: "user" }:
                StopNext("system");
                return true;
            case Terminated:
                Context.Stop(Self);
                return true;
            default:
                return false;
        }
    }

    private void StopNext(string name)
    {
        var next = Context.Child(name);
        if (next is null)
        {
            if (name == "user") StopNext("system");
            else Context.Stop(Self);
            return;
        }
        Context.Watch(next);
        Context.Stop(next);
    }

    protected internal override SupervisorStrategy SupervisorStrategy() => Supervision.SupervisorStrategy.StoppingStrategy;
}
