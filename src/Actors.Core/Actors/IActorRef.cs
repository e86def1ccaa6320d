namespace Actors.Core;

/// <summary>The only way to talk to an actor: send it a message. Safe to use from any thread.</summary>
public interface IActorRef
{
    ActorPath Path { get; }

    /// <summary>Enqueues the message and returns at once; <paramref name="sender"/> is what the receiver sees as Sender.</summary>
    void Tell(object message, IActorRef? sender);
}

public static class ActorRefExtensions
{
    /// <summary>Tells with the current actor as sender when called from inside an actor, else with no sender.</summary>
    public static void Tell(this IActorRef receiver, object message) => receiver.Tell(message, ActorCell.CurrentSelf);

    /// <summary>Sends on the message keeping the original sender, as a router or proxy would.</summary>
    public static void Forward(this IActorRef receiver, object message, IActorContext context) => receiver.Tell(message, context.Sender);
}

/// <summary>A reference that accepts and drops every message (Akka's Nobody).</summary>
public sealed class Nobody : IActorRef
{
    public static readonly Nobody Instance = new();
    private Nobody() { }
    public ActorPath Path { get; } = ActorPath.Root("nobody");
    public void Tell(object message, IActorRef? sender) { }
    public override string ToString() => "Nobody";
}
