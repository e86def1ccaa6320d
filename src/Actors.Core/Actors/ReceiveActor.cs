namespace Actors.Core;

/// <summary>
/// An actor that declares typed handlers in its constructor (or in <see cref="Become"/>):
/// <c>Receive&lt;Deposit&gt;(d =&gt; ...)</c>. Handlers are tried in order; the first that matches handles the message.
/// An async handler suspends the mailbox until its task completes, so the next message waits.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private Behavior _current = new();
    private Behavior? _building;
    private Stack<Behavior>? _stack;

    protected ReceiveActor() => _building = _current;

    internal override void AfterConstruction() => _building = null;

    protected internal sealed override bool Receive(object message) => throw new NotSupportedException("ReceiveActor dispatches through its handlers.");

    internal sealed override Task? Dispatch(object message)
    {
        if (_current.TryHandle(message, out var task)) return task;
        Unhandled(message);
        return null;
    }

    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null) =>
        Building.Add(new SyncHandler<T>(handler, shouldHandle));

    /// <summary>A handler that says itself whether it handled the message.</summary>
    protected void Receive<T>(Func<T, bool> handler) => Building.Add(new TryHandler<T>(handler));

    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null) =>
        Building.Add(new AsyncHandler<T>(handler, shouldHandle));

    protected void ReceiveAny(Action<object> handler) => Building.Add(new SyncHandler<object>(handler, null));

    protected void ReceiveAnyAsync(Func<object, Task> handler) => Building.Add(new AsyncHandler<object>(handler, null));

    /// <summary>Replaces the handlers with those <paramref name="configure"/> declares.</summary>
    protected void Become(Action configure)
    {
        _stack?.Clear();
        _current = Build(configure);
    }

    /// <summary>Puts new handlers on top; <see cref="UnbecomeStacked"/> returns to the previous ones.</summary>
    protected void BecomeStacked(Action configure)
    {
        (_stack ??= new Stack<Behavior>()).Push(_current);
        _current = Build(configure);
    }

    protected void UnbecomeStacked()
    {
        if (_stack is { Count: > 0 }) _current = _stack.Pop();
    }

    private Behavior Build(Action configure)
    {
        var previous = _building;
        var behavior = _building = new Behavior();
        try { configure(); }
        finally { _building = previous; }
        return behavior;
    }

    private Behavior Building => _building
        ?? throw new InvalidOperationException("Handlers are declared in the constructor or inside Become(...), not while handling a message.");

    private sealed class Behavior
    {
        private readonly List<Handler> _handlers = [];
        private Type? _lastType;
        private Handler[] _lastCandidates = [];
        private Dictionary<Type, Handler[]>? _byType;

        public void Add(Handler handler)
        {
            _handlers.Add(handler);
            _byType = null;
            _lastType = null;
        }

        public bool TryHandle(object message, out Task? task)
        {
            foreach (var handler in CandidatesFor(message.GetType()))
            {
                if (handler.TryInvoke(message, out task)) return true;
            }
            task = null;
            return false;
        }

        // Matching by runtime type once per type keeps dispatch cheap for actors that see few message types.
        private Handler[] CandidatesFor(Type type)
        {
            if (type == _lastType) return _lastCandidates;
            _byType ??= new Dictionary<Type, Handler[]>();
            if (!_byType.TryGetValue(type, out var candidates))
            {
                candidates = _handlers.Where(h => h.MessageType.IsAssignableFrom(type)).ToArray();
                _byType[type] = candidates;
            }
            _lastType = type;
            _lastCandidates = candidates;
            return candidates;
        }
    }

    private abstract class Handler(Type messageType)
    {
        public Type MessageType { get; } = messageType;
        public abstract bool TryInvoke(object message, out Task? task);
    }

    private sealed class SyncHandler<T>(Action<T> handler, Predicate<T>? shouldHandle) : Handler(typeof(T))
    {
        public override bool TryInvoke(object message, out Task? task)
        {
            task = null;
            var typed = (T)message;
            if (shouldHandle is not null && !shouldHandle(typed)) return false;
            handler(typed);
            return true;
        }
    }

    private sealed class TryHandler<T>(Func<T, bool> handler) : Handler(typeof(T))
    {
        public override bool TryInvoke(object message, out Task? task)
        {
            task = null;
            return handler((T)message);
        }
    }

    private sealed class AsyncHandler<T>(Func<T, Task> handler, Predicate<T>? shouldHandle) : Handler(typeof(T))
    {
        public override bool TryInvoke(object message, out Task? task)
        {
            var typed = (T)message;
            if (shouldHandle is not null && !shouldHandle(typed))
            {
                task = null;
                return false;
            }
            task = handler(typed);
            return true;
        }
    }
}
