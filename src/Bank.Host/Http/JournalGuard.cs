using Actors.Persistence;

namespace Bank.Host.Http;

/// <summary>A call to an account or the journal failed or did not answer in time: the outcome of a write is unknown. Answered with 503.</summary>
public sealed class JournalUnavailableException(Exception inner)
    : Exception($"The journal is unavailable: {inner.Message}", inner);

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

    /// <summary>
    /// Everything a journal call throws (PersistenceFailureException, AskTimeoutException, JournalBufferFullException,
    /// database and I/O errors...) except the client going away and a rejection of the events themselves (a bug: 500).
    /// </summary>
    public static bool IsJournalFailure(Exception e, CancellationToken cancellationToken) =>
        e is not PersistenceRejectedException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
