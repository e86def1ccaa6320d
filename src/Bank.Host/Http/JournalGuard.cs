using System.Data.Common;
using Akka.Actor;

namespace Bank.Host.Http;

/// <summary>A call to an account or the journal failed or did not answer in time: the outcome of a write is unknown. Answered with 503.</summary>
/// <param name="detail">The problem's detail; null for the one of a failed write (retry with the same Idempotency-Key).</param>
public sealed class JournalUnavailableException(Exception? inner, string? detail = null)
    : Exception($"The journal is unavailable: {inner?.Message ?? detail}", inner)
{
    public string? Detail { get; } = detail;
}

/// <summary>Wraps calls that reach the journal, so that its failures, and only those, become <see cref="JournalUnavailableException"/> (503).</summary>
internal static class JournalGuard
{
    public static async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsJournalFailure(e, cancellationToken))
        {
            throw new JournalUnavailableException(e);
        }
    }

    /// <summary>Like <see cref="CallAsync{T}"/> for a read of the read model (in the journal's database): nothing was changed, just retry.</summary>
    public static async Task<T> ReadAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            return await read(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsJournalFailure(e, cancellationToken))
        {
            throw new JournalUnavailableException(e, $"The read model's database did not answer ({e.GetType().Name}). Retry the request.");
        }
    }

    /// <summary>
    /// An account or the database did not answer in time (AskTimeoutException, TimeoutException), or the database
    /// failed (DbException: SQLite busy or I/O, PostgreSQL down). Anything else is a bug, answered 500, not 503.
    /// </summary>
    public static bool IsJournalFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        AskTimeoutException or TimeoutException or DbException or JournalUnavailableException => true,
        AggregateException { InnerExceptions.Count: 1 } aggregate => IsJournalFailure(aggregate.InnerException!, cancellationToken),
        _ => false,
    };
}
