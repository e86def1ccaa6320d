namespace Actors.Core;

/// <summary>Stops the actor once it reaches this message in its mailbox, after the messages before it.</summary>
public sealed class PoisonPill
{
    public static readonly PoisonPill Instance = new();
    private PoisonPill() { }
}

/// <summary>Makes the actor fail with <see cref="ActorKilledException"/>; its supervisor decides what follows (by default: stop).</summary>
public sealed class Kill
{
    public static readonly Kill Instance = new();
    private Kill() { }
}

/// <summary>Sent to a watcher when a watched actor has stopped.</summary>
public sealed record Terminated(IActorRef ActorRef);

/// <summary>Sent when an actor has had no message for its receive timeout.</summary>
public sealed class ReceiveTimeout : INotInfluenceReceiveTimeout
{
    public static readonly ReceiveTimeout Instance = new();
    private ReceiveTimeout() { }
}

/// <summary>Marks messages that do not count as activity for the receive timeout (keep-alive pings, metrics).</summary>
public interface INotInfluenceReceiveTimeout;

/// <summary>Replies that carry an outcome rather than a value; an Ask that gets a Failure throws its cause.</summary>
public static class Status
{
    public sealed record Success(object? Value);

    public sealed record Failure(Exception Cause);
}

/// <summary>A message that reached no live actor.</summary>
public sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient);

/// <summary>A message the actor did not handle.</summary>
public sealed record UnhandledMessage(object Message, IActorRef? Sender, IActorRef Recipient);

public sealed class ActorKilledException(string message) : Exception(message);

public sealed class ActorInitializationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Thrown when an actor gets <see cref="Terminated"/> for a watched actor and does not handle it.</summary>
public sealed class DeathPactException(IActorRef deadActor)
    : Exception($"Watched actor {deadActor.Path} terminated and the watcher did not handle Terminated.")
{
    public IActorRef DeadActor { get; } = deadActor;
}
