namespace Actors.Core;

public sealed class AskTimeoutException(string message) : TimeoutException(message);

public static class AskExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> and waits, without blocking a thread, for the first reply.
    /// A <see cref="Status.Failure"/> reply throws its cause; no reply within the timeout throws <see cref="AskTimeoutException"/>.
    /// </summary>
    public static async Task<T> Ask<T>(this IActorRef receiver, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        // An Ask cancelled already does not ask: otherwise the question went out and a quick reply won over the cancellation.
        cancellationToken.ThrowIfCancellationRequested();
        var limit = timeout ?? (receiver as ActorCell)?.System.Settings.AskTimeout ?? ActorSystemSettings.Default.AskTimeout;
        var promise = new PromiseActorRef(receiver);
        receiver.Tell(message, promise);
        object reply;
        try
        {
            reply = await promise.Reply.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new AskTimeoutException($"No reply from {receiver.Path} to {message.GetType().Name} within {limit.TotalMilliseconds:0} ms.");
        }
        return reply switch
        {
            T typed => typed,
            Status.Failure failure => throw failure.Cause,
            _ => throw new InvalidCastException($"{receiver.Path} replied {reply.GetType().Name} to {message.GetType().Name}, not {typeof(T).Name}."),
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
    private readonly TaskCompletionSource<object> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorPath? _path;

    public Task<object> Reply => _reply.Task;

    public ActorPath Path => _path ??= target.Path.RootPath.Child("temp").Child("$ask");

    public void Tell(object message, IActorRef? sender) => _reply.TrySetResult(message);

    public override string ToString() => $"Ask({target.Path})";
}
