using System.Collections.Concurrent;
using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Batching;

namespace Actors.Persistence.Sql.Tests;

/// <summary>The group-commit loop on its own, with a fake database.</summary>
public sealed class WriteBatcherTests
{
    private sealed class FakeWriter : IBatchWriter
    {
        public ConcurrentQueue<(int Batch, string PersistenceId, long SequenceNr)> Written { get; } = new();
        public Func<IReadOnlyList<PendingWrite>, Exception?> FailWith { get; set; } = _ => null;
        private int _batches;
        private long _ordering;

        public async Task<int> WriteAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
        {
            await Task.Yield();
            var batch = Interlocked.Increment(ref _batches);
            if (FailWith(writes) is { } failure) throw failure;
            foreach (var write in writes)
            {
                Written.Enqueue((batch, write.PersistenceId, write.LowestSequenceNr));
                write.Outcome = new WriteResult.Stored(Interlocked.Add(ref _ordering, write.Events.Length));
            }
            return 1;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static PendingWrite Pending(string persistenceId, long sequenceNr) =>
        new([new SerializedEvent(persistenceId, sequenceNr, "w", "m", [1], 0, [], null)]);

    [Fact]
    public async Task A_broken_batch_fails_all_its_writes_and_the_next_batch_goes_on()
    {
        var writer = new FakeWriter { FailWith = writes => writes.Any(w => w.PersistenceId == "poison") ? new IOException("connection lost") : null };
        await using var batcher = new WriteBatcher(writer, lanes: 1, maxBatchSize: 100, maxBufferedWrites: 100, TimeSpan.FromSeconds(5), () => { });

        var broken = new[] { Pending("a", 1), Pending("poison", 1), Pending("b", 1) };
        await batcher.WriteAsync(broken, CancellationToken.None);
        var next = new[] { Pending("c", 1) };
        await batcher.WriteAsync(next, CancellationToken.None);

        Assert.All(broken, w => Assert.IsType<IOException>(Assert.IsType<WriteResult.Failed>(w.Outcome).Cause));
        Assert.IsType<WriteResult.Stored>(next[0].Outcome);
        Assert.Equal(0, batcher.PendingWrites);
    }

    [Fact]
    public async Task With_several_lanes_each_persistence_id_keeps_its_order()
    {
        var writer = new FakeWriter();
        var committed = 0;
        await using var batcher = new WriteBatcher(writer, lanes: 4, maxBatchSize: 7, maxBufferedWrites: 10_000, TimeSpan.FromSeconds(5),
            () => Interlocked.Increment(ref committed));

        // Many actors, each firing its writes without waiting (like PersistAsync), all at once.
        var calls = Enumerable.Range(1, 20).SelectMany(seq => Enumerable.Range(0, 30).Select(a =>
            batcher.WriteAsync([Pending($"actor-{a}", seq)], CancellationToken.None))).ToList();
        await Task.WhenAll(calls);

        Assert.Equal(600, writer.Written.Count);
        foreach (var stream in writer.Written.GroupBy(w => w.PersistenceId))
            Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), stream.Select(w => w.SequenceNr));
        Assert.True(Volatile.Read(ref committed) < 600);
    }

    [Fact]
    public async Task The_writes_of_one_call_are_never_split_across_batches()
    {
        var writer = new FakeWriter();
        await using var batcher = new WriteBatcher(writer, lanes: 1, maxBatchSize: 4, maxBufferedWrites: 1000, TimeSpan.FromSeconds(5), () => { });

        var calls = Enumerable.Range(0, 50).Select(c =>
            batcher.WriteAsync([.. Enumerable.Range(1, 3).Select(s => Pending($"call-{c}", s))], CancellationToken.None)).ToList();
        await Task.WhenAll(calls);

        foreach (var call in writer.Written.GroupBy(w => w.PersistenceId))
            Assert.Single(call.Select(w => w.Batch).Distinct());
    }
}
