namespace Actors.Core;

public sealed class AskTimeoutException(string message) : TimeoutException(message);

public static class AskExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> and waits, without blocking a thread, for the first reply.
    /// A <see cref="Status.Failure"/> reply throws its cause; no reply within the timeout throws <see cref="AskTimeoutException"/>
    /// (at most <see cref="AskTimer.Resolution"/> late: asks share one timer per slot of that length instead of one each);
    /// a cancelled <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task<T> Ask<T>(this IActorRef receiver, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        // An Ask cancelled already does not ask: otherwise the question went out and a quick reply won over the cancellation.
        cancellationToken.ThrowIfCancellationRequested();
        var limit = timeout ?? (receiver as ActorCell)?.System.Settings.AskTimeout ?? ActorSystemSettings.Default.AskTimeout;
        if (limit < TimeSpan.Zero && limit != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(timeout), limit, "The timeout must be positive, zero or infinite.");
        var promise = new PromiseActorRef(receiver);
        receiver.Tell(message, promise);
        var reply = promise.Reply;
        if (!reply.IsCompleted)
        {
            CancellationTokenRegistration timeoutRegistration = default, cancelRegistration = default;
            if (limit == TimeSpan.Zero) promise.TimedOut();
            else if (limit != Timeout.InfiniteTimeSpan) timeoutRegistration = AskTimer.Register(limit, promise);
            if (cancellationToken.CanBeCanceled)
                cancelRegistration = cancellationToken.UnsafeRegister(static (state, token) => ((PromiseActorRef)state!).Cancelled(token), promise);
            try
            {
                await ((Task)reply).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            finally
            {
                // Unregister does not wait for a callback that is running (it only completes the promise).
                timeoutRegistration.Unregister();
                cancelRegistration.Unregister();
            }
        }
        if (reply.IsCanceled || reply.IsFaulted)
        {
            if (reply.Exception?.InnerException is AskTimeoutException)
                throw new AskTimeoutException($"No reply from {receiver.Path} to {message.GetType().Name} within {limit.TotalMilliseconds:0} ms.");
            await reply.ConfigureAwait(false); // throws the cancellation
        }
        return reply.Result switch // sync-ok: the task has completed
        {
            T typed => typed,
            Status.Failure failure => throw failure.Cause,
            var other => throw new InvalidCastException($"{receiver.Path} replied {other.GetType().Name} to {message.GetType().Name}, not {typeof(T).Name}."),
        };
    }

    public static Task<object> Ask(this IActorRef receiver, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        receiver.Ask<object>(message, timeout, cancellationToken);

    /// <summary>Sends a stop message (PoisonPill by default) and completes with true once the actor has stopped, false on timeout.</summary>
    public static async Task<bool> GracefulStop(this IActorRef target, TimeSpan timeout, object? stopMessage = null)
    {
        if (target is not ActorCell cell) throw new ArgumentException("GracefulStop needs a local actor.", nameof(target));
        var terminated = cell.WhenTerminated();
        target.Tell(stopMessage ?? PoisonPill.Instance, null);
        try
        {
            await terminated.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Sends the task's result (or a <see cref="Status.Failure"/>) to <paramref name="recipient"/> when it completes.</summary>
    public static void PipeTo<T>(this Task<T> task, IActorRef recipient, IActorRef? sender = null, Func<T, object>? success = null, Func<Exception, object>? failure = null)
    {
        task.ContinueWith(static (t, state) =>
        {
            var (recipient, sender, success, failure) = ((IActorRef, IActorRef?, Func<T, object>?, Func<Exception, object>?))state!;
            object message = t.IsCompletedSuccessfully
                ? success is null ? t.Result! : success(t.Result) // sync-ok: the task has completed
                : failure is null ? new Status.Failure(t.Exception?.InnerException ?? new TaskCanceledException(t)) : failure(t.Exception?.InnerException ?? new TaskCanceledException(t));
            recipient.Tell(message, sender);
        }, (recipient, sender, success, failure), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}

/// <summary>A one-shot reference that completes a task with the first message it gets.</summary>
internal sealed class PromiseActorRef(IActorRef target) : IActorRef
{
    private static readonly AskTimeoutException TimeoutMarker = new("The ask timed out.");

    private readonly TaskCompletionSource<object> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorPath? _path;

    public Task<object> Reply => _reply.Task;

    public ActorPath Path => _path ??= target.Path.RootPath.Child("temp").Child("$ask");

    public void Tell(object message, IActorRef? sender) => _reply.TrySetResult(message);

    /// <summary>When the ask times out (<see cref="MonotonicClock"/> milliseconds); set by <see cref="AskTimer"/>.</summary>
    internal long DeadlineMs;

    /// <summary>No reply in time: Ask throws a new <see cref="AskTimeoutException"/> with the details (this marker is only recognised).</summary>
    internal void TimedOut() => _reply.TrySetException(TimeoutMarker);

    /// <summary>
    /// The ask's timer slot has fired. .NET timers run on a coarse clock on Linux and can fire a few ms early; an ask
    /// whose deadline has not come yet goes into a later slot (its reply no longer unregisters it, which is harmless).
    /// </summary>
    internal void SlotFired()
    {
        if (_reply.Task.IsCompleted) return;
        if (MonotonicClock.Milliseconds >= DeadlineMs) TimedOut();
        else AskTimer.RegisterUntilDeadline(this);
    }

    internal void Cancelled(CancellationToken token) => _reply.TrySetCanceled(token);

    public override string ToString() => $"Ask({target.Path})";
}

/// <summary>
/// The timeouts of asks, without a timer per ask: time is cut into slots of <see cref="Resolution"/>, and every ask due
/// in a slot registers on that slot's <see cref="CancellationTokenSource"/>, which fires once at the slot's end. A reply
/// unregisters its ask, so an answered ask is not kept alive until its deadline. An ask times out between its timeout and
/// its timeout plus <see cref="Resolution"/>, never before: deadlines are on a precise clock, and a slot that fires early
/// (the timers' coarse clock) moves its asks that are not due yet to a later slot.
/// </summary>
internal static class AskTimer
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(10);
    private const long ResolutionMs = 10;

    // Slot index modulo the ring's size; an entry taken by another slot is replaced (its source still fires on its own).
    private static readonly Slot?[] Ring = new Slot?[1024];

    private sealed class Slot(long index, CancellationTokenSource source)
    {
        public readonly long Index = index;
        public readonly CancellationTokenSource Source = source;
    }

    public static CancellationTokenRegistration Register(TimeSpan timeout, PromiseActorRef promise)
    {
        var dueMs = (long)Math.Ceiling(timeout.TotalMilliseconds);
        if (dueMs >= int.MaxValue / 2) return default; // beyond 12 days: as good as infinite
        promise.DeadlineMs = MonotonicClock.Milliseconds + dueMs;
        return RegisterUntilDeadline(promise);
    }

    /// <summary>Registers <paramref name="promise"/> on the slot that ends at or after its <see cref="PromiseActorRef.DeadlineMs"/>.</summary>
    internal static CancellationTokenRegistration RegisterUntilDeadline(PromiseActorRef promise)
    {
        var now = MonotonicClock.Milliseconds;
        var index = promise.DeadlineMs / ResolutionMs + 1; // the slot ends at index * ResolutionMs, after the deadline
        var position = (int)(index & (Ring.Length - 1));
        var slot = Volatile.Read(ref Ring[position]);
        if (slot is null || slot.Index != index || slot.Source.IsCancellationRequested)
        {
            var source = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1, index * ResolutionMs - now)));
            var created = new Slot(index, source);
            var seen = Interlocked.CompareExchange(ref Ring[position], created, slot);
            if (seen == slot || seen is null || seen.Index != index || seen.Source.IsCancellationRequested) slot = created;
            else
            {
                source.Dispose(); // another ask made this slot's source first
                slot = seen;
            }
        }
        return slot.Source.Token.UnsafeRegister(static state => ((PromiseActorRef)state!).SlotFired(), promise);
    }
}
