using System.Collections.Concurrent;
using Actors.Journal.Batching;

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

    /// <summary>
    /// The memory of this process's last writes on that database (created on first call, kept for the process): from
    /// then on, each committed AtomicWrite is remembered, before its writer gets its answer, as the ordering of its last
    /// event, so the orderings of writes this process just made are known without asking the database.
    /// </summary>
    public static LastWrites RememberLastWrites(JournalProvider provider, string connectionString) =>
        Remembered.GetOrAdd(KeyFor(provider, connectionString), _ => new LastWrites(LastWrites.DefaultCapacity));

    internal static void Publish(string key, long highestOrdering, IReadOnlyList<PendingWrite> writes)
    {
        if (Remembered.TryGetValue(key, out var lastWrites))
            foreach (var write in writes)
                if (write.Outcome is WriteResult.Stored stored)
                    lastWrites.Record(write.PersistenceId, write.HighestSequenceNr, stored.Ordering);
        if (Handlers.TryGetValue(key, out var handler)) handler?.Invoke(highestOrdering);
    }

    private static readonly ConcurrentDictionary<string, LastWrites> Remembered = new(StringComparer.Ordinal);

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
