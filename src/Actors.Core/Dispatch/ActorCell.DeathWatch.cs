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

    /// <summary>Delivered as a message after those already in the mailbox, so nothing the dead actor sent is overtaken.</summary>
    private void OnWatchedTerminated(ActorCell actor)
    {
        if (_extras?.Watching?.Contains(actor) == true) Tell(new WatchedTerminated(actor), actor);
    }
}
