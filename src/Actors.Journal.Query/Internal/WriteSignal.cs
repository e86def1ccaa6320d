namespace Actors.Journal.Query.Internal;

/// <summary>
/// "Something was written": many waiters, no lost wake-ups, no per-waiter state. A waiter takes <see cref="Next"/>
/// before it reads, so a write that commits while it reads completes the task it then waits on.
/// </summary>
internal sealed class WriteSignal
{
    private TaskCompletionSource _next = NewSource();

    /// <summary>Completes at the next <see cref="Notify"/> after this property was read.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
