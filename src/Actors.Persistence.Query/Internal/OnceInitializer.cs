namespace Actors.Persistence.Query.Internal;

/// <summary>Runs an idempotent initialization until it succeeded once; a failed attempt is retried by the next caller.</summary>
internal sealed class OnceInitializer(Func<CancellationToken, Task> initialize)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _done;

    public Task EnsureAsync(CancellationToken cancellationToken) => _done ? Task.CompletedTask : RunAsync(force: false, cancellationToken);

    /// <summary>Runs it again even when it succeeded before.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => RunAsync(force: true, cancellationToken);

    private async Task RunAsync(bool force, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_done && !force) return;
            await initialize(cancellationToken).ConfigureAwait(false);
            _done = true;
        }
        finally
        {
            _gate.Release();
        }
    }
}
