namespace Actors.Core.Entities;

/// <summary>
/// Routes messages to entity actors by id, starting an entity on its first message. An entity that asks to
/// be passivated is stopped; messages for it that arrive while it stops are buffered and start it again.
/// An entity that stops for any other reason (e.g. its journal failed) is simply started again by the next
/// message for it, so it recovers from durable state. On one node this is the whole of sharding; a cluster
/// puts a shard coordinator in front of it.
/// </summary>
public sealed class EntityRegion : ReceiveActor
{
    private readonly Func<string, Props> _entityProps;
    private readonly IMessageExtractor _extractor;
    // The live incarnation of each entity. The id of an entity ref is its path name unescaped (the region names its
    // entities so), which saves a reverse map of 100,000 entries for 100,000 entities.
    private readonly Dictionary<string, IActorRef> _entities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(object Message, IActorRef Sender)>> _passivating = new(StringComparer.Ordinal);

    public EntityRegion(Func<string, Props> entityProps, IMessageExtractor extractor)
    {
        _entityProps = entityProps;
        _extractor = extractor;
        Receive<Passivate>(OnPassivate);
        Receive<DeadLetter>(OnDeadLetter);
        Receive<Terminated>(OnTerminated);
        Receive<GetRegionStats>(_ => Sender.Tell(new RegionStats(_entities.Count)));
        ReceiveAny(Route);
    }

    public static Props Props(Func<string, Props> entityProps, IMessageExtractor extractor) =>
        Core.Props.Create(() => new EntityRegion(entityProps, extractor));

    /// <summary>
    /// A region whose entities are made by <paramref name="createEntity"/> from their id. All entities share one
    /// <see cref="Core.Props"/> (the id is read from the entity's name when it is created or restarted), where props made
    /// per id cost every idle entity its props, a closure and a delegate (~140 bytes).
    /// </summary>
    public static Props Props<TEntity>(Func<string, TEntity> createEntity, IMessageExtractor extractor) where TEntity : ActorBase
    {
        ArgumentNullException.ThrowIfNull(createEntity);
        var shared = Core.Props.Create(() => createEntity(Uri.UnescapeDataString(ActorCell.Constructing!.Name)));
        return Props(_ => shared, extractor);
    }

    /// <summary>The id of the entity at <paramref name="path"/> (its name is the escaped id; unescaping returns the same string when nothing was escaped).</summary>
    private static string EntityIdOf(ActorPath path) => Uri.UnescapeDataString(path.Name);

    // An entity that stopped on its own (e.g. its journal write failed) leaves the messages still in its mailbox
    // as dead letters. They were meant for the entity, not for that incarnation: route them to the next one.
    protected internal override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));

    protected internal override void PostStop() => Context.System.EventStream.Unsubscribe(Self, typeof(DeadLetter));

    internal override bool IsToldOfStoppedChildren => true;

    private void OnDeadLetter(DeadLetter deadLetter)
    {
        if (!Equals(deadLetter.Recipient.Path.Parent, Self.Path)) return;
        var id = EntityIdOf(deadLetter.Recipient.Path);
        if (_passivating.TryGetValue(id, out var buffer))
        {
            buffer.Add((deadLetter.Message, deadLetter.Sender ?? Context.System.DeadLetters));
            return;
        }
        if (_entities.TryGetValue(id, out var current) && Equals(current, deadLetter.Recipient))
        {
            // Its Terminated has not arrived yet: keep the message for the incarnation that Terminated will start.
            _passivating[id] = [(deadLetter.Message, deadLetter.Sender ?? Context.System.DeadLetters)];
            return;
        }
        EntityFor(id).Tell(deadLetter.Message, deadLetter.Sender);
    }

    private void Route(object message)
    {
        var id = _extractor.EntityId(message);
        if (id is null)
        {
            Unhandled(message);
            return;
        }
        var payload = _extractor.EntityMessage(message);
        if (_passivating.TryGetValue(id, out var buffer))
        {
            buffer.Add((payload, Sender));
            return;
        }
        EntityFor(id).Tell(payload, Sender);
    }

    private IActorRef EntityFor(string id)
    {
        if (_entities.TryGetValue(id, out var entity)) return entity;
        // Not watched: the region is told of its stopped children (IsToldOfStoppedChildren), which costs no watch entry.
        entity = Context.ActorOf(_entityProps(id), Uri.EscapeDataString(id));
        _entities[id] = entity;
        return entity;
    }

    /// <summary>The id of <paramref name="entity"/> if it is the live incarnation of one of this region's entities.</summary>
    private bool TryGetLiveId(IActorRef entity, out string id)
    {
        id = "";
        if (!Equals(entity.Path.Parent, Self.Path)) return false;
        id = EntityIdOf(entity.Path);
        return _entities.TryGetValue(id, out var live) && Equals(live, entity);
    }

    private void OnPassivate(Passivate passivate)
    {
        if (!TryGetLiveId(Sender, out var id) || _passivating.ContainsKey(id)) return;
        _passivating[id] = [];
        Sender.Tell(passivate.StopMessage, Self);
    }

    private void OnTerminated(Terminated terminated)
    {
        if (!TryGetLiveId(terminated.ActorRef, out var id)) return;
        _entities.Remove(id);
        if (!_passivating.Remove(id, out var buffered) || buffered.Count == 0) return;
        var entity = EntityFor(id);
        foreach (var (message, sender) in buffered) entity.Tell(message, sender);
    }
}

/// <summary>Asks a region how many entities are alive in it.</summary>
public sealed class GetRegionStats
{
    public static readonly GetRegionStats Instance = new();
}

public sealed record RegionStats(int ActiveEntities);
