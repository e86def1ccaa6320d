using Actors.Core.Supervision;

namespace Actors.Core;

/// <summary>
/// The parts of an actor cell most actors never use. Kept out of the cell so an idle actor costs little:
/// it is allocated on first use only. What every actor of a common kind needs (an entity's watcher, the pending task
/// of a persistent actor's recovery, the receive timeout) lives in the cell instead, so those actors never make one.
/// </summary>
internal sealed class CellExtras
{
    // Children may be created from any thread (system.ActorOf), so the container is guarded by this object's monitor.
    public Dictionary<string, ActorCell>? Children;
    public long NameCounter;
    /// <summary>Children this actor has asked to stop and that have not yet terminated; used only on the actor's own thread.</summary>
    public HashSet<ActorCell>? StoppingChildren;

    public HashSet<ActorCell>? Watching;

    public Queue<(object Message, IActorRef? Sender)>? Unstashed;
    public StashImpl? Stash;
    public TimerScheduler? Timers;

    /// <summary>System messages that arrived while a startup task held the actor, oldest first.</summary>
    public SystemMessage? DeferredSystemMessages;

    public object? FailedMessage;
    public Exception? RestartCause;
    public ChildRestartStats? RestartStats;

    public TaskCompletionSource? TerminationPromise;
}
