namespace Actors.Core.Entities;

/// <summary>Tells a region which entity a message is for and what to hand it (Akka's IMessageExtractor).</summary>
public interface IMessageExtractor
{
    /// <summary>The entity id, or null when the message is not for an entity (it then goes unhandled).</summary>
    string? EntityId(object message);

    /// <summary>What the entity receives; usually the message itself, or the payload of an envelope.</summary>
    object EntityMessage(object message);
}

/// <summary>Sent by an entity to its region to be stopped when idle; messages that arrive meanwhile are kept and start it again.</summary>
public sealed record Passivate(object StopMessage);
