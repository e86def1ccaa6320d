namespace Actors.Core;

internal sealed partial class ActorCell
{
    public IActorRef ActorOf(Props props, string? name = null) => CreateChild(props, name);

    internal ActorCell CreateChild(Props props, string? name, bool allowReservedName = false)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (name is not null && !allowReservedName) ActorPath.ValidateName(name);
        var extras = Extras;
        ActorCell child;
        lock (extras)
        {
            if ((_flags & (Terminating | Terminated)) != 0)
                throw new InvalidOperationException($"{Path} is stopping and cannot create children.");
            name ??= "$" + Base36(++extras.NameCounter);
            var children = extras.Children ??= new Dictionary<string, ActorCell>(StringComparer.Ordinal);
            if (children.ContainsKey(name))
                throw new InvalidActorNameException($"Actor name '{name}' is not unique among the children of {Path}.");
            child = new ActorCell(_system, this, props, name);
            children.Add(name, child);
        }
        child.Start();
        return child;
    }

    public IEnumerable<IActorRef> Children => ChildrenSnapshot();

    public IActorRef? Child(string name)
    {
        var extras = _extras;
        if (extras is null) return null;
        lock (extras) return extras.Children is { } children && children.TryGetValue(name, out var child) ? child : null;
    }

    private ActorCell[] ChildrenSnapshot()
    {
        var extras = _extras;
        if (extras is null) return [];
        lock (extras) return extras.Children is { Count: > 0 } children ? [.. children.Values] : [];
    }

    private bool IsChild(ActorCell cell)
    {
        var extras = _extras;
        if (extras is null) return false;
        lock (extras) return extras.Children is { } children && children.TryGetValue(cell.Name, out var c) && c == cell;
    }

    private void OnChildTerminated(ActorCell child)
    {
        var extras = Extras;
        int remaining;
        lock (extras)
        {
            if (extras.Children is { } children && children.TryGetValue(child.Name, out var c) && c == child)
                children.Remove(child.Name);
            remaining = extras.Children?.Count ?? 0;
        }
        extras.StoppingChildren?.Remove(child);
        // Like a watcher's Terminated: a message after those already in the mailbox, so nothing the child sent is overtaken.
        if ((_flags & (Terminating | Restarting)) == 0 && _actor is { IsToldOfStoppedChildren: true }) Tell(new ChildStopped(child), child);
        if ((_flags & Terminating) != 0)
        {
            if (remaining == 0) FinishTerminate();
        }
        else if ((_flags & Restarting) != 0 && extras.StoppingChildren is not { Count: > 0 }) FinishRestart();
    }

    public void Stop(IActorRef actor)
    {
        // Stopping oneself goes through the system inbox too: the current handler finishes before PostStop runs,
        // and no further user message is handled (the inbox is read before each one).
        if (actor is ActorCell cell)
        {
            // A restart waits for the children it is stopping (only those: PreRestart may keep the others).
            if (IsChild(cell)) (Extras.StoppingChildren ??= []).Add(cell);
            cell.SendSystem(new Terminate());
        }
    }

    private static string Base36(long value)
    {
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        Span<char> buffer = stackalloc char[13];
        var i = buffer.Length;
        do
        {
            buffer[--i] = digits[(int)(value % 36)];
            value /= 36;
        }
        while (value > 0);
        return new string(buffer[i..]);
    }
}
