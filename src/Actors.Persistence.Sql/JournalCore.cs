using System.Runtime.CompilerServices;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Sql.Batching;

namespace Actors.Persistence.Sql;

/// <summary>One stored event as read from a journal table, before deserialization.</summary>
internal readonly record struct StoredEvent(
    long Ordering,
    long SequenceNr,
    string WriterId,
    string Manifest,
    byte[] Payload,
    long Timestamp,
    string? TagsJson);

/// <summary>What the SQL journals share: the write path into the batcher, and paged replay.</summary>
internal static class JournalCore
{
    /// <summary>
    /// Serializes each atomic write on the caller's thread (an unserializable one is Rejected alone), queues the rest
    /// with the batcher and returns one result per write, in order.
    /// </summary>
    public static async Task<IReadOnlyList<WriteResult>> WriteAsync(
        WriteBatcher batcher, IEventSerializer serializer, string defaultWriterId,
        IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        cancellationToken.ThrowIfCancellationRequested();
        if (writes.Count == 0) return [];

        var prepared = new PendingWrite?[writes.Count];
        var results = new WriteResult[writes.Count];
        var queued = new List<PendingWrite>(writes.Count);
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                queued.Add(prepared[i] = WritePreparer.Prepare(writes[i], serializer, defaultWriterId));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                results[i] = new WriteResult.Rejected(e);
            }
        }

        await batcher.WriteAsync(queued, cancellationToken).ConfigureAwait(false);

        for (var i = 0; i < writes.Count; i++)
        {
            if (prepared[i] is { } write)
                results[i] = write.Outcome ?? new WriteResult.Failed(new InvalidOperationException("The write has no result."));
        }
        return results;
    }

    public delegate Task<List<StoredEvent>> PageReader(long fromSequenceNr, long toSequenceNr, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Replays from &lt;= seq &lt;= to, at most <paramref name="max"/> events, one page (one query, one short-lived
    /// connection) at a time, so a slow consumer never holds a connection or a read transaction open.
    /// </summary>
    public static async IAsyncEnumerable<PersistentRepr> ReplayAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max, int pageSize,
        IEventSerializer serializer, PageReader readPage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        var from = Math.Max(fromSequenceNr, 0);
        var remaining = max;
        while (remaining > 0 && from <= toSequenceNr)
        {
            var limit = (int)Math.Min(pageSize, remaining);
            var page = await readPage(from, toSequenceNr, limit, cancellationToken).ConfigureAwait(false);
            foreach (var stored in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return ToRepr(persistenceId, stored, serializer);
            }
            if (page.Count < limit) yield break;
            remaining -= page.Count;
            var last = page[^1].SequenceNr;
            if (last == long.MaxValue) yield break;
            from = last + 1;
        }
    }

    /// <summary>
    /// The same paging as <see cref="ReplayAsync"/>, but each fetched page is deserialized and handed to
    /// <paramref name="onEvent"/> in one synchronous loop (after its connection went back): one await per page instead
    /// of an async enumerator step per event.
    /// </summary>
    public static async Task ReplayMessagesAsync(
        string persistenceId, long fromSequenceNr, long toSequenceNr, long max, int pageSize,
        IEventSerializer serializer, PageReader readPage, Action<PersistentRepr> onEvent, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        ArgumentNullException.ThrowIfNull(onEvent);
        var from = Math.Max(fromSequenceNr, 0);
        var remaining = max;
        while (remaining > 0 && from <= toSequenceNr)
        {
            var limit = (int)Math.Min(pageSize, remaining);
            var page = await readPage(from, toSequenceNr, limit, cancellationToken).ConfigureAwait(false);
            Deliver(persistenceId, page, serializer, onEvent, cancellationToken);
            if (page.Count < limit) return;
            remaining -= page.Count;
            var last = page[^1].SequenceNr;
            if (last == long.MaxValue) return;
            from = last + 1;
        }
    }

    private static void Deliver(
        string persistenceId, List<StoredEvent> page, IEventSerializer serializer, Action<PersistentRepr> onEvent, CancellationToken cancellationToken)
    {
        for (var i = 0; i < page.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            onEvent(ToRepr(persistenceId, page[i], serializer));
        }
    }

    /// <summary>Hands a page of deserialized events to <paramref name="onEvent"/>, in order.</summary>
    public static void Deliver(List<PersistentRepr> page, Action<PersistentRepr> onEvent, CancellationToken cancellationToken)
    {
        for (var i = 0; i < page.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            onEvent(page[i]);
        }
    }

    private static PersistentRepr ToRepr(string persistenceId, StoredEvent stored, IEventSerializer serializer) =>
        new(persistenceId,
            stored.SequenceNr,
            serializer.Deserialize(stored.Manifest, stored.Payload),
            stored.WriterId,
            UnixTime.FromMillis(stored.Timestamp),
            TagsColumn.Read(stored.TagsJson))
        {
            Manifest = stored.Manifest,
            Ordering = stored.Ordering,
        };

    /// <summary>Invokes every handler, so one that throws neither stops the others nor the write loop.</summary>
    public static void Raise(Action? handlers)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action)handler)();
            }
            catch
            {
                // A listener's failure is its own business.
            }
        }
    }
}
