namespace Actors.Core;

internal sealed partial class ActorCell
{
    public IActorRef Watch(IActorRef subject)
    {
        if (subject is ActorCell cell && cell != this && (Extras.Watching ??= []).Add(cell))
            cell.SendSystem(new Watch(this));
        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        if (subject is ActorCell cell && _extras?.Watching?.Remove(cell) == true)
            cell.SendSystem(new Unwatch(this));
        return subject;
    }

    // Watchers are kept on the actor's own thread (system messages and termination only). Most actors have one watcher
    // or none, so one is kept as is and a set is made only for a second one: a HashSet of one was 160 bytes per actor.
    private void AddWatcher(ActorCell watcher)
    {
        switch (_watchers)
        {
            case null:
                _watchers = watcher;
                break;
            case ActorCell single when single != watcher:
                _watchers = new HashSet<ActorCell> { single, watcher };
                break;
            case HashSet<ActorCell> several:
                several.Add(watcher);
                break;
        }
    }

    private void RemoveWatcher(ActorCell watcher)
    {
        if (_watchers == watcher) _watchers = null;
        else if (_watchers is HashSet<ActorCell> several) several.Remove(watcher);
    }

    /// <summary>Tells every watcher that this actor has stopped, and forgets them.</summary>
    private void NotifyWatchers()
    {
        var watchers = _watchers;
        _watchers = null;
        switch (watchers)
        {
            case ActorCell single:
                single.SendSystem(new DeathWatchNotification(this));
                break;
            case HashSet<ActorCell> several:
                foreach (var watcher in several) watcher.SendSystem(new DeathWatchNotification(this));
                break;
        }
    }

    /// <summary>Delivered as a message after those already in the mailbox, so nothing the dead actor sent is overtaken.</summary>
    private void OnWatchedTerminated(ActorCell actor)
    {
        if (_extras?.Watching?.Contains(actor) == true) Tell(new WatchedTerminated(actor), actor);
    }
}
