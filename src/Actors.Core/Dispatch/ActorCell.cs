using System.Runtime.CompilerServices;
using Actors.Core.Logging;

namespace Actors.Core;

/// <summary>
/// The runtime around one actor: its mailbox, its place in the tree and its lifecycle. The cell is also the
/// actor's reference (one object less per actor). It runs on the thread pool as a work item: at most one
/// thread at a time, at most <c>throughput</c> messages per turn.
/// </summary>
internal sealed partial class ActorCell : MailboxLink, IActorRef, IActorContext, IThreadPoolWorkItem
{
    [ThreadStatic] private static ActorCell? t_current;
    [ThreadStatic] private static ActorCell? t_constructing;

    private const int Uncreated = 1, Suspended = 2, AwaitingTask = 4, Terminating = 8, Terminated = 16, Restarting = 32;
    private const int BlocksUserMessages = Uncreated | Suspended | AwaitingTask | Terminating | Terminated | Restarting;

    private readonly ActorSystem _system;
    private readonly ActorCell? _parent;
    private readonly Props _props;
    private ActorBase? _actor;

    // The mailbox. An empty mailbox's head and tail are the cell itself (it is a link), so an idle actor keeps no node:
    // a separate empty node per actor cost 40 bytes, and so did the last message's node, kept as the head.
    private MailboxLink _head;
    private MailboxLink _tail;
    private SystemMessage? _systemInbox;
    private int _scheduled;
    private volatile int _flags = Uncreated;

    private object? _currentMessage;
    private IActorRef? _currentSender;
    private CellExtras? _extras;

    // The three below are in the cell rather than in CellExtras because common kinds of actors need them: every
    // persistent actor awaits its recovery, an entity has a receive timeout for passivation, a watched actor has a
    // watcher. An idle recovered account then allocates no CellExtras at all (that object alone was 176 bytes).

    /// <summary>The async handler (or startup task, e.g. recovery) the mailbox waits for; null otherwise.</summary>
    private Task? _pendingTask;

    /// <summary>Null, the only watcher (the usual case), or a HashSet of several.</summary>
    private object? _watchers;

    /// <summary>The actor's entry on the system's receive-timeout wheel while it has a receive timeout.</summary>
    private ReceiveTimeoutEntry? _receiveTimeout;

    // The actor's path, or only its name until someone asks for the path: it is made from the parent's path then.
    // Most idle entities are never asked, and their ActorPath object cost 40 bytes each.
    private object _pathOrName;

    internal ActorCell(ActorSystem system, ActorCell? parent, Props props, ActorPath path)
        : this(system, parent, props, (object)path)
    {
    }

    /// <summary>A child cell that knows only its name; its <see cref="Path"/> is made on first use.</summary>
    internal ActorCell(ActorSystem system, ActorCell parent, Props props, string name)
        : this(system, parent, props, (object)name)
    {
    }

    private ActorCell(ActorSystem system, ActorCell? parent, Props props, object pathOrName)
    {
        _system = system;
        _parent = parent;
        _props = props;
        _pathOrName = pathOrName;
        _head = _tail = this;
    }

    /// <summary>The actor whose message this thread is handling, if any: the implicit sender of Tell.</summary>
    internal static IActorRef? CurrentSelf => t_current;

    internal static ActorCell? Constructing => t_constructing;

    public ActorPath Path
    {
        get
        {
            var pathOrName = Volatile.Read(ref _pathOrName);
            return pathOrName as ActorPath ?? MakePath((string)pathOrName);
        }
    }

    /// <summary>The actor's name (the last element of its path), without making the path.</summary>
    internal string Name
    {
        get
        {
            var pathOrName = Volatile.Read(ref _pathOrName);
            return pathOrName as string ?? ((ActorPath)pathOrName).Name;
        }
    }

    private ActorPath MakePath(string name)
    {
        // Racing threads may both make one: the first one stored wins, and equal paths are equal anyway.
        var path = _parent!.Path.Child(name);
        var stored = Interlocked.CompareExchange(ref _pathOrName, path, name);
        return stored as ActorPath ?? path;
    }
    public ActorSystem System => _system;
    public IActorRef Self => this;
    public IActorRef Sender => _currentSender ?? _system.DeadLetters;
    internal IActorRef? CurrentSenderOrNull => _currentSender;
    public IActorRef Parent => (IActorRef?)_parent ?? Nobody.Instance;
    internal bool IsTerminated => (_flags & Terminated) != 0;

    private CellExtras Extras
    {
        get
        {
            var extras = Volatile.Read(ref _extras);
            if (extras is not null) return extras;
            Interlocked.CompareExchange(ref _extras, new CellExtras(), null);
            return _extras!;
        }
    }

    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (IsTerminated)
        {
            _system.PublishDeadLetter(new DeadLetter(message, sender, this));
            return;
        }
        var node = new MailboxNode(message, sender);
        var previous = Interlocked.Exchange(ref _tail, node);
        Volatile.Write(ref previous.Next, node);
        TrySchedule();
    }

    internal void SendSystem(SystemMessage message)
    {
        SystemMessage? head;
        do
        {
            head = Volatile.Read(ref _systemInbox);
            message.Next = head;
        }
        while (Interlocked.CompareExchange(ref _systemInbox, message, head) != head);
        TrySchedule();
    }

    internal void Start() => SendSystem(new Create());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TrySchedule()
    {
        if (Volatile.Read(ref _scheduled) == 0 && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    public void Execute()
    {
        t_current = this;
        try
        {
            if (_pendingTask is { } finished) CompleteAsyncHandler(finished);
            ProcessSystemMessages();
            if ((_flags & BlocksUserMessages) == 0) ProcessMailbox();
            if (IsTerminated) DrainToDeadLetters();
            if ((_flags & AwaitingTask) == 0)
            {
                // Between turns the actor handles no message: an idle actor must not keep its last message (and its
                // sender) alive. An async handler still needs both until it completes.
                _currentMessage = null;
                _currentSender = null;
            }
        }
        catch (Exception e)
        {
            // Only a bug in the runtime gets here: user code is guarded where it is called.
            _system.Log.Error(e, $"Internal error in the actor cell of {Path}.");
        }
        finally
        {
            t_current = null;
        }

        if ((_flags & AwaitingTask) != 0)
        {
            // Stays scheduled: the task's continuation runs us again, but only once this turn has ended too,
            // so the next turn can never overlap the end of this one.
            ReleaseTurnToPendingTask();
            return;
        }
        // A full fence, not Volatile.Write: the store of 0 must be visible before HasWork reads the mailbox. A release
        // store may be overtaken by the later loads (x64 store buffer), and then a Tell that enqueued meanwhile read
        // _scheduled == 1 while we read an empty mailbox: nobody scheduled the actor and its message waited forever
        // (ping-pong hung within seconds).
        Interlocked.Exchange(ref _scheduled, 0);
        if (HasWork()) TrySchedule();
    }

    private bool HasWork()
    {
        if (Volatile.Read(ref _systemInbox) is not null || _extras?.DeferredSystemMessages is not null) return true;
        var mailboxNotEmpty = Volatile.Read(ref _tail) != _head;
        if (IsTerminated) return mailboxNotEmpty;
        if ((_flags & BlocksUserMessages) != 0) return false;
        return mailboxNotEmpty || _extras?.Unstashed is { Count: > 0 };
    }

    private void ProcessMailbox()
    {
        var throughput = _system.Throughput;
        for (var i = 0; i < throughput; i++)
        {
            if (Volatile.Read(ref _systemInbox) is not null)
            {
                ProcessSystemMessages();
                if ((_flags & BlocksUserMessages) != 0) return;
            }
            if (!TryDequeue(out var message, out var sender)) return;
            Invoke(message, sender);
            if ((_flags & BlocksUserMessages) != 0) return;
        }
    }

    private bool TryDequeue(out object message, out IActorRef? sender)
    {
        if (_extras?.Unstashed is { Count: > 0 } unstashed)
        {
            (message, sender) = unstashed.Dequeue();
            return true;
        }
        var head = _head;
        var next = Volatile.Read(ref head.Next);
        if (next is null)
        {
            if (!ReferenceEquals(head, this)) ReturnHeadToCell(head);
            message = null!;
            sender = null;
            return false;
        }
        _head = next;
        // Unlink the consumed node. A producer writes a node's Next once, before we can get here, so nobody else
        // touches it again. Left linked, a consumed node the GC had already promoted keeps its young successor alive
        // (through the card table) and promotes it in turn, and so on down the queue: under load nearly every message
        // reached gen1/gen2 (GC "nepotism"; many gen2 collections in the tell benchmark).
        head.Next = null;
        message = next.Message!;
        sender = next.Sender;
        next.Message = null;
        next.Sender = null;
        return true;
    }

    /// <summary>
    /// The mailbox is empty and its head is the last node taken: makes the cell the head again, so the node can go.
    /// Only when no producer has swapped the tail since (then the tail is still that node); otherwise a message is on
    /// its way behind the node, and the node stays the head until it has been taken.
    /// </summary>
    private void ReturnHeadToCell(MailboxLink head)
    {
        // Nobody writes the cell's Next now: a producer writes it only while the cell is the tail, and the consumer
        // moved past it (unlinking it) only after that write.
        Next = null;
        if (Interlocked.CompareExchange(ref _tail, this, head) == head) _head = this;
    }

    private void Invoke(object message, IActorRef? sender)
    {
        _currentMessage = message;
        _currentSender = sender;
        _extras?.Stash?.OnNextMessage();
        try
        {
            switch (message)
            {
                case PoisonPill:
                    BeginTerminate();
                    return;
                case Kill:
                    throw new ActorKilledException($"{Path} was killed.");
                case TimerMessage timer:
                    if (!timer.Owner.TryAccept(timer)) return;
                    message = _currentMessage = timer.Message;
                    _currentSender = null;
                    break;
                case ReceiveTimeoutTick:
                    if (!ReceiveTimeoutElapsed()) return;
                    message = _currentMessage = Actors.Core.ReceiveTimeout.Instance;
                    break;
                case ChildStopped stopped:
                    message = _currentMessage = new Terminated(stopped.Child);
                    _currentSender = stopped.Child;
                    break;
                case WatchedTerminated watched:
                    if (_extras?.Watching?.Remove(watched.Actor) != true) return;
                    message = _currentMessage = new Terminated(watched.Actor);
                    _currentSender = watched.Actor;
                    break;
            }

            var task = _actor!.Dispatch(message);
            if (task is not null)
            {
                if (!task.IsCompleted)
                {
                    AwaitAsyncHandler(task);
                    return;
                }
                task.GetAwaiter().GetResult(); // sync-ok: the task has completed; this rethrows its exception
            }
            MarkActivity(message);
        }
        catch (Exception e)
        {
            HandleFailure(e, message);
        }
    }

    private void AwaitAsyncHandler(Task task)
    {
        _flags |= AwaitingTask;
        _pendingTask = task;
        // Two parties must be done before the next turn: the task (its continuation) and the current turn (end of Execute).
        // Scheduling on the task alone let a fast task start a turn while this one was still running. _scheduled counts
        // them down: it is 1 during a turn and only ever moved off 0 by a Tell, so setting it to 2 here is race-free, and
        // while it is not 0 no Tell schedules the actor. The last party brings it to 0 and schedules the next turn
        // (through TrySchedule, so a Tell racing it cannot schedule the actor twice).
        Volatile.Write(ref _scheduled, 2);
        // A delegate per await instead of one cached per actor: it is garbage after the task completes, where a cached
        // one would cost every idle persistent actor 64 bytes forever.
        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(ReleaseTurnToPendingTask);
    }

    private void ReleaseTurnToPendingTask()
    {
        if (Interlocked.Decrement(ref _scheduled) == 0) TrySchedule();
    }

    private void CompleteAsyncHandler(Task finished)
    {
        _pendingTask = null;
        _flags &= ~AwaitingTask;
        if (finished.IsCompletedSuccessfully)
        {
            MarkActivity(_currentMessage);
            return;
        }
        var error = finished.Exception?.InnerException ?? new TaskCanceledException(finished);
        HandleFailure(error, _currentMessage);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MarkActivity(object? message)
    {
        if (_receiveTimeout is { } entry && message is not INotInfluenceReceiveTimeout)
            Volatile.Write(ref entry.LastActivity, MonotonicClock.Milliseconds);
    }

    private void DrainToDeadLetters()
    {
        while (TryDequeue(out var message, out var sender))
            _system.PublishDeadLetter(new DeadLetter(message, sender, this));
    }

    public ILoggingAdapter GetLogger() => new LoggingAdapter(_system.LogSink, Path.ToString());

    public override string ToString() => Path.ToString();
}
