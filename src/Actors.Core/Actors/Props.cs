using Actors.Core.Supervision;

namespace Actors.Core;

/// <summary>A recipe for an actor: how to make an instance (again, after a restart) and how to supervise its children.</summary>
public sealed class Props
{
    private Props(Func<ActorBase> factory, Type actorType, SupervisorStrategy? supervisorStrategy)
    {
        Factory = factory;
        ActorType = actorType;
        SupervisorStrategy = supervisorStrategy;
    }

    internal Func<ActorBase> Factory { get; }
    public Type ActorType { get; }
    public SupervisorStrategy? SupervisorStrategy { get; }

    public static Props Create<TActor>() where TActor : ActorBase, new() => new(static () => new TActor(), typeof(TActor), null);

    public static Props Create<TActor>(Func<TActor> factory) where TActor : ActorBase => new(factory, typeof(TActor), null);

    public static Props Create(Type actorType, params object?[] args)
    {
        if (!typeof(ActorBase).IsAssignableFrom(actorType))
            throw new ArgumentException($"{actorType} is not an actor type.", nameof(actorType));
        return new Props(() => (ActorBase)Activator.CreateInstance(actorType, args)!, actorType, null);
    }

    /// <summary>Overrides how the actor made from these props supervises its children.</summary>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy) => new(Factory, ActorType, strategy);

    public override string ToString() => $"Props({ActorType.Name})";
}
