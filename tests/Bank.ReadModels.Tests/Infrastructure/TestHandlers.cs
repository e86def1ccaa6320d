using System.Collections.Concurrent;
using Akka.Persistence.Query;
using Bank.ReadModels.Projections;

namespace Bank.ReadModels.Tests.Infrastructure;

/// <summary>Wraps a handler: throws before the first <paramref name="failures"/> batches (as a broken database would), records every call.</summary>
public sealed class FlakyHandler(IProjectionHandler inner, int failures) : IProjectionHandler
{
    private int _calls;

    /// <summary>When each HandleAsync call began (failed or not).</summary>
    public ConcurrentQueue<DateTimeOffset> Calls { get; } = new();

    /// <summary>The size of each batch that was handled (not the failed ones).</summary>
    public ConcurrentQueue<int> Batches { get; } = new();

    public Task InitializeAsync(ProjectionSession session, CancellationToken cancellationToken) => inner.InitializeAsync(session, cancellationToken);

    public Task ResetAsync(ProjectionSession session, CancellationToken cancellationToken) => inner.ResetAsync(session, cancellationToken);

    public Task<IReadOnlyDictionary<string, long>?> AppliedSequenceNrsAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events,
        CancellationToken cancellationToken) => inner.AppliedSequenceNrsAsync(session, events, cancellationToken);

    public async Task HandleAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        Calls.Enqueue(DateTimeOffset.UtcNow);
        if (Interlocked.Increment(ref _calls) <= failures) throw new InvalidOperationException($"Injected failure {_calls}.");
        await inner.HandleAsync(session, events, cancellationToken);
        Batches.Enqueue(events.Count);
    }
}

/// <summary>A handler without tables: counts the events it is given (for a second projection beside the bank's).</summary>
public sealed class CountingHandler : IProjectionHandler
{
    private long _events;

    public long Events => Interlocked.Read(ref _events);

    public Task InitializeAsync(ProjectionSession session, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ResetAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _events, 0);
        return Task.CompletedTask;
    }

    public Task HandleAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _events, events.Count);
        return Task.CompletedTask;
    }
}
