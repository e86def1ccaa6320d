using System.Collections.Concurrent;

namespace Actors.Shared;

/// <summary>
/// Idle SQLite readers (a connection with its statements prepared) kept for the next read: opening a connection and
/// preparing its statements costs more than most of the index probes they run. At most <c>maxIdle</c> are kept; the rest
/// are closed when handed back. A reader whose read failed is closed, never reused (its statement may be half-stepped).
/// </summary>
/// <remarks>
/// One source file linked into each assembly that reads SQLite (Actors.Journal, Actors.Journal.Query, Bank.ReadModels):
/// the two plugins and the read model do not depend on each other, and this is too small to be a package of its own.
/// </remarks>
internal sealed class IdlePool<T>(int maxIdle, Func<T> open) : IDisposable
    where T : class, IDisposable
{
    private readonly ConcurrentBag<T> _idle = [];
    private volatile bool _disposed;

    /// <summary>Runs <paramref name="use"/> on an idle item (or a new one) and keeps the item for the next caller.</summary>
    /// <exception cref="ObjectDisposedException">The pool (its store) has been disposed.</exception>
    public TResult Use<TResult>(Func<T, TResult> use)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var item = _idle.TryTake(out var idle) ? idle : open();
        try
        {
            var result = use(item);
            // Disposed meanwhile: nobody would take it out again.
            if (_disposed || _idle.Count >= maxIdle) item.Dispose();
            else _idle.Add(item);
            return result;
        }
        catch
        {
            item.Dispose();
            throw;
        }
    }

    /// <summary>Closes the idle items; the ones in use are closed when handed back.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var item)) item.Dispose();
    }
}
