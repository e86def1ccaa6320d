namespace Actors.Core;

/// <summary>
/// Messages of the runtime itself (lifecycle, supervision, death watch). They travel in their own inbox and
/// are handled before user messages, also while the actor is suspended after a failure.
/// </summary>
internal abstract class SystemMessage
{
    public SystemMessage? Next;
}

internal sealed class Create : SystemMessage;

internal sealed class Terminate : SystemMessage;

internal sealed class Resume : SystemMessage;

internal sealed class Recreate(Exception cause) : SystemMessage
{
    public Exception Cause { get; } = cause;
}

internal sealed class Failed(ActorCell child, Exception cause) : SystemMessage
{
    public ActorCell Child { get; } = child;
    public Exception Cause { get; } = cause;
}

internal sealed class Watch(ActorCell watcher) : SystemMessage
{
    public ActorCell Watcher { get; } = watcher;
}

internal sealed class Unwatch(ActorCell watcher) : SystemMessage
{
    public ActorCell Watcher { get; } = watcher;
}

internal sealed class DeathWatchNotification(ActorCell actor) : SystemMessage
{
    public ActorCell Actor { get; } = actor;
}

internal sealed class ChildTerminated(ActorCell child) : SystemMessage
{
    public ActorCell Child { get; } = child;
}

/// <summary>User-queue messages the runtime sends itself; they are never logged as dead letters.</summary>
internal interface IRuntimeMessage;

internal sealed class ReceiveTimeoutTick : IRuntimeMessage, INotInfluenceReceiveTimeout
{
    public static readonly ReceiveTimeoutTick Instance = new();
}

/// <summary>A child has stopped; becomes <see cref="Terminated"/> for a parent that is told of its stopped children.</summary>
internal sealed class ChildStopped(ActorCell child) : IRuntimeMessage
{
    public ActorCell Child { get; } = child;
}

internal sealed class WatchedTerminated(ActorCell actor) : IRuntimeMessage
{
    public ActorCell Actor { get; } = actor;
}
