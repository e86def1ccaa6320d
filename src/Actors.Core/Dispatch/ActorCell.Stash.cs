namespace Actors.Core;

internal sealed partial class ActorCell
{
    internal (object? Message, IActorRef? Sender) CurrentEnvelope => (_currentMessage, _currentSender);

    /// <summary>Puts messages in front of the mailbox, before any unstashed ones still waiting, keeping their order.</summary>
    internal void Prepend(IReadOnlyCollection<(object Message, IActorRef? Sender)> messages)
    {
        if (messages.Count == 0) return;
        var extras = Extras;
        var queue = new Queue<(object, IActorRef?)>(messages);
        if (extras.Unstashed is { Count: > 0 } waiting)
            foreach (var item in waiting) queue.Enqueue(item);
        extras.Unstashed = queue;
    }

    internal void PublishDeadLetters(IEnumerable<(object Message, IActorRef? Sender)> messages)
    {
        foreach (var (message, sender) in messages) _system.PublishDeadLetter(new DeadLetter(message, sender, this));
    }
}

internal sealed class StashImpl(ActorCell cell) : IStash
{
    private List<(object Message, IActorRef? Sender)>? _items;

    // Whether the message being handled has been stashed. Comparing message objects instead refused to stash a
    // singleton (or an interned string) sent twice in a row, and the actor failed and lost the second one.
    private bool _stashedCurrent;

    public int Count => _items?.Count ?? 0;

    /// <summary>Called by the cell before each message it hands to the actor.</summary>
    internal void OnNextMessage() => _stashedCurrent = false;

    public void Stash()
    {
        var (message, sender) = cell.CurrentEnvelope;
        if (message is null) throw new InvalidOperationException("Stash() is called while handling a message.");
        if (_stashedCurrent)
            throw new InvalidOperationException($"The message {message.GetType().Name} is already stashed.");
        (_items ??= []).Add((message, sender));
        _stashedCurrent = true;
    }

    public void UnstashAll()
    {
        if (_items is not { Count: > 0 } items) return;
        cell.Prepend(items);
        items.Clear();
    }

    public void Unstash()
    {
        if (_items is not { Count: > 0 } items) return;
        cell.Prepend([items[0]]);
        items.RemoveAt(0);
    }

    public void ClearStash() => DropAll();

    internal void DropAll()
    {
        if (_items is not { Count: > 0 } items) return;
        cell.PublishDeadLetters(items);
        items.Clear();
    }
}
