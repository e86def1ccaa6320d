using Actors.Core.Logging;

namespace Actors.Core;

/// <summary>What an actor may do with itself and its surroundings. Use only from the actor's own message handling.</summary>
public interface IActorContext : IActorRefFactory
{
    IActorRef Self { get; }
    IActorRef Sender { get; }
    IActorRef Parent { get; }
    ActorSystem System { get; }
    IEnumerable<IActorRef> Children { get; }
    IActorRef? Child(string name);

    /// <summary>Stops a child or the actor itself; a stopped actor finishes the message it is handling.</summary>
    void Stop(IActorRef actor);

    /// <summary>Delivers <see cref="Terminated"/> when <paramref name="subject"/> stops (at once if it already has).</summary>
    IActorRef Watch(IActorRef subject);

    IActorRef Unwatch(IActorRef subject);

    /// <summary>Sends <see cref="ReceiveTimeout"/> after this much time without a message; null switches it off.</summary>
    void SetReceiveTimeout(TimeSpan? timeout);

    TimeSpan? ReceiveTimeout { get; }

    ILoggingAdapter GetLogger();
}

public interface IActorRefFactory
{
    /// <summary>Creates a child actor. Names are unique among siblings; null makes one up.</summary>
    IActorRef ActorOf(Props props, string? name = null);
}
