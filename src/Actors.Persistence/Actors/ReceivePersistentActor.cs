namespace Actors.Persistence;

/// <summary>
/// A persistent actor that declares handlers in its constructor, Akka style:
/// <c>Recover&lt;Deposited&gt;(e =&gt; ...)</c> and <c>Command&lt;Deposit&gt;(c =&gt; Persist(...))</c>.
/// </summary>
public abstract class ReceivePersistentActor : PersistentActor
{
    private readonly List<(Type Type, Func<object, bool> Handle)> _recoverHandlers = [];
    private readonly List<(Type Type, Func<object, Task?> Handle)> _commandHandlers = [];
    private bool _sealed;

    internal override void AfterConstruction() => _sealed = true;

    protected void Recover<T>(Action<T> handler) => Add(_recoverHandlers, typeof(T), m => { handler((T)m); return true; });

    protected void Command<T>(Action<T> handler, Predicate<T>? shouldHandle = null) =>
        Add(_commandHandlers, typeof(T), m =>
        {
            if (shouldHandle is not null && !shouldHandle((T)m)) return Declined;
            handler((T)m);
            return null;
        });

    /// <summary>An async command handler: the mailbox waits for it, then for the events it persisted.</summary>
    protected void CommandAsync<T>(Func<T, Task> handler) => Add(_commandHandlers, typeof(T), m => handler((T)m));

    protected void CommandAny(Action<object> handler) => Add(_commandHandlers, typeof(object), m => { handler(m); return null; });

    protected sealed override bool ReceiveRecover(object message)
    {
        foreach (var (type, handle) in _recoverHandlers)
            if (type.IsInstanceOfType(message) && handle(message)) return true;
        return false;
    }

    protected sealed override bool ReceiveCommand(object message) => TryInvokeCommand(message, out _);

    internal sealed override bool TryInvokeCommand(object message, out Task? task)
    {
        foreach (var (type, handle) in _commandHandlers)
        {
            if (!type.IsInstanceOfType(message)) continue;
            task = handle(message);
            if (ReferenceEquals(task, Declined)) continue;
            return true;
        }
        task = null;
        return false;
    }

    private static readonly Task Declined = Task.FromResult(false);

    private void Add<THandler>(List<(Type, THandler)> handlers, Type type, THandler handler)
    {
        if (_sealed) throw new InvalidOperationException("Handlers are declared in the constructor.");
        handlers.Add((type, handler));
    }
}
