using Actors.Persistence;

namespace Bank.Host.Http;

/// <summary>A call to an account or the journal failed or did not answer in time: the outcome of a write is unknown. Answered with 503.</summary>
/// <param name="detail">The problem's detail; null for the one of a failed write (retry with the same Idempotency-Key).</param>
public sealed class JournalUnavailableException(Exception inner, string? detail = null)
    : Exception($"The journal is unavailable: {inner.Message}", inner)
{
    public string? Detail { get; } = detail;
}

/// <summary>Wraps calls that reach the journal, so that their failures become <see cref="JournalUnavailableException"/> (503).</summary>
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
    /// Everything a journal call throws (PersistenceFailureException, AskTimeoutException, JournalBufferFullException,
    /// database and I/O errors...) except the client going away and a rejection of the events themselves (a bug: 500).
    /// </summary>
    public static bool IsJournalFailure(Exception e, CancellationToken cancellationToken) =>
        e is not PersistenceRejectedException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
