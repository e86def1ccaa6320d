using System.Collections.Concurrent;
using Akka.Persistence;
using Akka.Persistence.TestKit;

namespace Bank.Actors.Tests.Support;

/// <summary>A journal interceptor that lets everything pass and remembers what went by (e.g. which events a recovery replayed).</summary>
public sealed class RecordingInterceptor : IJournalInterceptor
{
    private readonly ConcurrentQueue<IPersistentRepresentation> _seen = new();

    public IReadOnlyList<IPersistentRepresentation> Seen => [.. _seen];

    public Task InterceptAsync(IPersistentRepresentation message)
    {
        _seen.Enqueue(message);
        return Task.CompletedTask;
    }
}
