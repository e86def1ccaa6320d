using Actors.Core.Supervision;

namespace Actors.Core;

/// <summary>
/// The parts of an actor cell most actors never use. Kept out of the cell so an idle actor costs little:
/// it is allocated on first use only.
/// </summary>
internal sealed class CellExtras
{
    // Children may be created from any thread (system.ActorOf), so the container is guarded by this object's monitor.
    public Dictionary<string, ActorCell>? Children;
    public long NameCounter;

    public HashSet<ActorCell>? Watchers;
    public HashSet<ActorCell>? Watching;

    public Queue<(object Message, IActorRef? Sender)>? Unstashed;
    public StashImpl? Stash;
    public TimerScheduler? Timers;

    public TimeSpan? ReceiveTimeout;
    public long LastActivity;
    public Timer? ReceiveTimeoutTimer;

    public Task? PendingTask;
    public Action? ResumeAfterTask;

    public object? FailedMessage;
    public Exception? RestartCause;
    public ChildRestartStats? RestartStats;

    public TaskCompletionSource? TerminationPromise;
}
