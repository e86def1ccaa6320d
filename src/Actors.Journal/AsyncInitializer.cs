namespace Actors.Journal;

/// <summary>Runs an idempotent initialization (schema creation) until it succeeded once; a failed attempt is retried by the next caller.</summary>
internal sealed class AsyncInitializer(Func<CancellationToken, Task> initialize)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _done;

    public Task EnsureAsync(CancellationToken cancellationToken) => _done ? Task.CompletedTask : RunAsync(cancellationToken);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_done) return;
            await initialize(cancellationToken).ConfigureAwait(false);
            _done = true;
        }
        finally
        {
            _gate.Release();
        }
    }
}
