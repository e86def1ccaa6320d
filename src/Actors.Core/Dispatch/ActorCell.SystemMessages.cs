namespace Actors.Core;

internal sealed partial class ActorCell
{
    private void ProcessSystemMessages()
    {
        // Messages put aside while a startup task (recovery) held the actor come first: they are the oldest.
        if (_extras?.DeferredSystemMessages is { } deferred)
        {
            _extras.DeferredSystemMessages = null;
            if (!HandleInOrder(deferred)) return;
        }
        while (true)
        {
            // A plain read first: the inbox is almost always empty, and the exchange is a locked instruction each turn.
            // A message pushed just after this read is not lost: its sender schedules the actor, or the end of the turn
            // finds it (HasWork).
            if (Volatile.Read(ref _systemInbox) is null) return;
            var stack = Interlocked.Exchange(ref _systemInbox, null);
            if (stack is null) return;

            // The inbox is a stack (newest first); reverse it so messages are handled in the order they were sent.
            SystemMessage? ordered = null;
            while (stack is not null)
            {
                var next = stack.Next;
                stack.Next = ordered;
                ordered = stack;
                stack = next;
            }
            if (!HandleInOrder(ordered)) return;
        }
    }

    /// <summary>
    /// Handles the list in order. When one of them starts a task that holds the actor (a persistent actor's
    /// recovery), the rest wait until it completes: a Terminate must not run PostStop beside a running recovery.
    /// </summary>
    private bool HandleInOrder(SystemMessage? ordered)
    {
        while (ordered is not null)
        {
            if ((_flags & AwaitingTask) != 0)
            {
                DeferWhileAwaiting(ordered);
                return false;
            }
            var message = ordered;
            ordered = message.Next;
            message.Next = null;
            HandleSystemMessage(message);
        }
        return true;
    }

    /// <summary>
    /// Puts aside, in order, the messages that must wait for the task holding the actor. Watch and Unwatch are handled at
    /// once: they only change the watcher list, which no task touches, and keep their order among themselves. (A region
    /// watches each entity right after creating it, while its recovery holds it; putting that Watch aside allocated
    /// CellExtras for a good part of the recovered entities, depending on timing.)
    /// </summary>
    private void DeferWhileAwaiting(SystemMessage? ordered)
    {
        SystemMessage? head = null, tail = null;
        while (ordered is not null)
        {
            var message = ordered;
            ordered = message.Next;
            message.Next = null;
            if (message is Core.Watch or Core.Unwatch)
            {
                HandleSystemMessage(message);
                continue;
            }
            if (tail is null) head = message;
            else tail.Next = message;
            tail = message;
        }
        if (head is not null) Extras.DeferredSystemMessages = head;
    }

    private void HandleSystemMessage(SystemMessage message)
    {
        if (IsTerminated)
        {
            // A dead actor still answers watch requests, so a late watcher learns it is gone.
            if (message is Watch lateWatch) lateWatch.Watcher.SendSystem(new DeathWatchNotification(this));
            return;
        }
        switch (message)
        {
            case Create: CreateActor(); break;
            case Terminate: BeginTerminate(); break;
            case Resume: ResumeAfterFailure(); break;
            case Recreate recreate: BeginRestart(recreate.Cause); break;
            case Failed failed: HandleChildFailure(failed); break;
            case Watch watch: AddWatcher(watch.Watcher); break;
            case Unwatch unwatch: RemoveWatcher(unwatch.Watcher); break;
            case DeathWatchNotification notification: OnWatchedTerminated(notification.Actor); break;
            case ChildTerminated terminated: OnChildTerminated(terminated.Child); break;
            default: throw new InvalidOperationException($"Unknown system message {message.GetType().Name}.");
        }
    }
}
