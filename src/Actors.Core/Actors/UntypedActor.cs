namespace Actors.Core;

/// <summary>An actor with one <see cref="OnReceive"/> method; call <see cref="ActorBase.Unhandled"/> for what it does not know.</summary>
public abstract class UntypedActor : ActorBase
{
    private Action<object>? _behavior;
    private Stack<Action<object>>? _stack;

    protected abstract void OnReceive(object message);

    protected internal sealed override bool Receive(object message)
    {
        if (_behavior is null) OnReceive(message);
        else _behavior(message);
        return true;
    }

    protected new void Unhandled(object message) => base.Unhandled(message);

    /// <summary>Replaces the current behavior (and forgets stacked ones).</summary>
    protected void Become(Action<object> behavior)
    {
        _stack?.Clear();
        _behavior = behavior;
    }

    protected void BecomeStacked(Action<object> behavior)
    {
        (_stack ??= new Stack<Action<object>>()).Push(_behavior ?? OnReceive);
        _behavior = behavior;
    }

    /// <summary>Returns to the behavior before the last <see cref="BecomeStacked"/>, or to <see cref="OnReceive"/>.</summary>
    protected void UnbecomeStacked() => _behavior = _stack is { Count: > 0 } ? _stack.Pop() : null;
}
