using System.Runtime.CompilerServices;
using Actors.Core;
using Actors.Persistence.InMemory;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;

namespace Actors.Persistence.Tests.PersistentActors;

public sealed class RecoveryConcurrencySpecs : TestKit.TestKit
{
    /// <summary>Counts replays in flight; each replay takes a while so overlapping ones would show.</summary>
    private sealed class SlowReplayJournal(IJournal inner) : IJournal
    {
        private int _inFlight;
        public int MaxInFlight;

        public Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken ct = default) => inner.WriteAsync(writes, ct);
        public Task<long> ReadHighestSequenceNrAsync(string pid, long from = 0, CancellationToken ct = default) => inner.ReadHighestSequenceNrAsync(pid, from, ct);
        public Task DeleteMessagesToAsync(string pid, long to, CancellationToken ct = default) => inner.DeleteMessagesToAsync(pid, to, ct);

        public async IAsyncEnumerable<PersistentRepr> ReplayAsync(string pid, long from, long to, long max, [EnumeratorCancellation] CancellationToken ct = default)
        {
            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref MaxInFlight, now);
            try
            {
                await Task.Delay(30, ct);
                await foreach (var repr in inner.ReplayAsync(pid, from, to, max, ct)) yield return repr;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
        }
    }

    [Fact]
    public async Task No_more_actors_recover_at_once_than_configured()
    {
        var serializer = new JsonEventSerializer(new EventTypeRegistry());
        var journal = new SlowReplayJournal(new InMemoryJournal(serializer));
        Persistence.Register(Sys, journal, new InMemorySnapshotStore(serializer), new PersistenceSettings { MaxConcurrentRecoveries = 3 });

        var counters = Enumerable.Range(0, 12).Select(i => ActorOf(Props.Create(() => new CounterActor($"r-{i}")))).ToList();
        foreach (var counter in counters) counter.Tell(new GetTotal(), TestActor);
        await ReceiveNAsync(12, Dilated(TimeSpan.FromSeconds(5)));

        Assert.InRange(journal.MaxInFlight, 1, 3);
    }
}
