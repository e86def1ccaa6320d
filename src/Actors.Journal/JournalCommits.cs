using System.Collections.Concurrent;

namespace Actors.Journal;

/// <summary>
/// In-process announcements of committed journal transactions, for live queries that want to be woken at once instead of
/// polling: subscribe with the same provider and connection string the journal uses. Called on the writer's thread right
/// after the commit and before the writers get their answers; keep handlers short and non-blocking.
/// </summary>
public static class JournalCommits
{
    private static readonly ConcurrentDictionary<string, Action<long>?> Handlers = new(StringComparer.Ordinal);

    /// <summary>Subscribes to commits on that database; the argument is the highest ordering the transaction wrote. Dispose to unsubscribe.</summary>
    public static IDisposable Subscribe(JournalProvider provider, string connectionString, Action<long> onCommitted)
    {
        var key = KeyFor(provider, connectionString);
        Handlers.AddOrUpdate(key, onCommitted, (_, existing) => existing + onCommitted);
        return new Subscription(key, onCommitted);
    }

    internal static string KeyFor(JournalProvider provider, string connectionString) => provider + "|" + connectionString.Trim();

    internal static void Publish(string key, long highestOrdering)
    {
        if (Handlers.TryGetValue(key, out var handler)) handler?.Invoke(highestOrdering);
    }

    private sealed class Subscription(string key, Action<long> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
            Handlers.AddOrUpdate(key, _ => null, (_, existing) => existing - handler);
        }
    }
}
