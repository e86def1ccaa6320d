namespace Actors.Core;

internal sealed partial class ActorCell
{
    private ActorBase NewActorInstance()
    {
        ActorBase actor;
        t_constructing = this;
        try { actor = _props.Factory(); }
        finally { t_constructing = null; }

        if (!ReferenceEquals(actor.Cell, this))
            throw new ActorInitializationException($"The props of {Path} returned an actor that was not created by them.");
        if (actor is IWithStash withStash) withStash.Stash = Extras.Stash ??= new StashImpl(this);
        if (actor is IWithTimers withTimers) withTimers.Timers = Extras.Timers ??= new TimerScheduler(this);
        actor.AfterConstruction();
        return actor;
    }

    private void CreateActor()
    {
        try
        {
            _actor = NewActorInstance();
            _flags &= ~Uncreated;
            HoldMailboxUntil(_actor.AroundPreStart());
        }
        catch (Exception e)
        {
            _flags &= ~Uncreated;
            HandleFailure(new ActorInitializationException($"{Path} could not be started: {e.Message}", e), null);
        }
    }

    private void HoldMailboxUntil(Task? startup)
    {
        if (startup is null) return;
        if (!startup.IsCompleted) AwaitAsyncHandler(startup);
        else startup.GetAwaiter().GetResult(); // sync-ok: completed; rethrows a startup failure
    }

    /// <summary>Suspends the actor and asks its parent what to do. The failing message is dropped.</summary>
    private void HandleFailure(Exception cause, object? message)
    {
        _flags |= Suspended;
        Extras.FailedMessage = message;
        if (_parent is null)
        {
            _system.Log.Error(cause, $"The root guardian failed; the system stops.");
            BeginTerminate();
            return;
        }
        _parent.SendSystem(new Failed(this, cause));
    }

    private void ResumeAfterFailure()
    {
        if ((_flags & (Suspended | Restarting)) != Suspended) return;
        _flags &= ~Suspended;
        if (_extras is { } extras) extras.FailedMessage = null;
        // Children suspended by an escalation to us go on with us.
        foreach (var child in ChildrenSnapshot()) child.SendSystem(new Resume());
    }

    private void BeginRestart(Exception cause)
    {
        if ((_flags & (Terminating | Restarting)) != 0) return;
        _flags |= Restarting | Suspended;
        var extras = Extras;
        extras.RestartCause = cause;
        try { _actor?.PreRestart(cause, extras.FailedMessage); }
        catch (Exception e) { _system.Log.Error(e, $"PreRestart of {Path} failed."); }

        extras.Timers?.CancelAll();
        SetReceiveTimeout(null);
        extras.Stash?.UnstashAll(); // stashed messages survive a restart, in front of the mailbox

        // Waits only for the children being stopped (by default PreRestart stops all): the last ChildTerminated finishes the
        // restart, so the new instance can reuse their names. Waiting for all children hung a restart whose PreRestart keeps them.
        if (_extras?.StoppingChildren is not { Count: > 0 }) FinishRestart();
    }

    private void FinishRestart()
    {
        var extras = Extras;
        var cause = extras.RestartCause ?? new InvalidOperationException("restart");
        extras.RestartCause = null;
        extras.FailedMessage = null;
        _flags &= ~Restarting;
        try
        {
            _actor = NewActorInstance();
            _flags &= ~Suspended;
            HoldMailboxUntil(_actor.AroundPostRestart(cause));
        }
        catch (Exception e)
        {
            HandleFailure(new ActorInitializationException($"{Path} could not be restarted: {e.Message}", e), null);
        }
    }

    /// <summary>Stops the children first; the actor itself stops when the last of them has.</summary>
    private void BeginTerminate()
    {
        if ((_flags & (Terminating | Terminated)) != 0) return;
        _flags |= Terminating;
        _extras?.Timers?.CancelAll();
        SetReceiveTimeout(null);

        var children = ChildrenSnapshot();
        if (children.Length == 0)
        {
            FinishTerminate();
            return;
        }
        foreach (var child in children) child.SendSystem(new Terminate());
    }

    private void FinishTerminate()
    {
        if (_actor is not null && (_flags & Uncreated) == 0)
        {
            try { _actor.PostStop(); }
            catch (Exception e) { _system.Log.Error(e, $"PostStop of {Path} failed."); }
        }
        _flags = (_flags | Terminated) & ~Terminating;
        _actor = null;

        var extras = _extras;
        extras?.Stash?.DropAll();
        if (extras?.Watching is { } watching)
        {
            foreach (var watchee in watching) watchee.SendSystem(new Unwatch(this));
            watching.Clear();
        }

        _parent?.SendSystem(new ChildTerminated(this));
        NotifyWatchers();
        if (extras is not null) Volatile.Read(ref extras.TerminationPromise)?.TrySetResult();
        if (_parent is null) _system.OnRootTerminated();
    }

    /// <summary>Completes when the actor has stopped (at once if it already has).</summary>
    internal Task WhenTerminated()
    {
        var extras = Extras;
        var promise = Volatile.Read(ref extras.TerminationPromise);
        if (promise is null)
        {
            Interlocked.CompareExchange(ref extras.TerminationPromise, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
            promise = extras.TerminationPromise!;
        }
        if (IsTerminated) promise.TrySetResult();
        return promise.Task;
    }
}
