namespace Actors.Persistence.Sql;

/// <summary>
/// Runs an idempotent initialization (schema creation) until it succeeded once; a failed attempt is retried by the
/// next caller. Public for the stores built on these databases (the read journals of Actors.Persistence.Query).
/// </summary>
public sealed class AsyncInitializer(Func<CancellationToken, Task> initialize)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _done;

    public Task EnsureAsync(CancellationToken cancellationToken) => _done ? Task.CompletedTask : RunAsync(force: false, cancellationToken);

    /// <summary>Runs the initialization even when it ran before (it is idempotent).</summary>
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
