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

    /// <summary>Holds every replay until the gate opens, so an actor can be caught in the middle of its recovery.</summary>
    private sealed class GatedReplayJournal(IJournal inner, Task gate) : IJournal
    {
        public Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken ct = default) => inner.WriteAsync(writes, ct);
        public Task<long> ReadHighestSequenceNrAsync(string pid, long from = 0, CancellationToken ct = default) => inner.ReadHighestSequenceNrAsync(pid, from, ct);
        public Task DeleteMessagesToAsync(string pid, long to, CancellationToken ct = default) => inner.DeleteMessagesToAsync(pid, to, ct);

        public async IAsyncEnumerable<PersistentRepr> ReplayAsync(string pid, long from, long to, long max, [EnumeratorCancellation] CancellationToken ct = default)
        {
            await gate.WaitAsync(ct);
            await foreach (var repr in inner.ReplayAsync(pid, from, to, max, ct)) yield return repr;
        }
    }

    /// <summary>
    /// Like an entity region: creates a child from the props it is sent and watches it at once (the Watch then usually
    /// reaches the child together with its Create, and waits out the recovery that Create starts). Tells the probe the
    /// child's ref, and forwards everything else (Terminated included).
    /// </summary>
    private sealed class Parent : ReceiveActor
    {
        public Parent(IActorRef probe)
        {
            Receive<Props>(props => probe.Tell(Context.Watch(Context.ActorOf(props)), Self));
            ReceiveAny(m => probe.Tell(m, Sender));
        }
    }

    [Fact]
    public async Task An_actor_watched_while_it_recovers_tells_its_watcher_when_it_stops_later()
    {
        var serializer = new JsonEventSerializer(new EventTypeRegistry());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Persistence.Register(Sys, new GatedReplayJournal(new InMemoryJournal(serializer), gate.Task), new InMemorySnapshotStore(serializer));
        var parent = ActorOf(Props.Create(() => new Parent(TestActor)));
        parent.Tell(Props.Create(() => new CounterActor("watched-while-recovering")), null);
        var counter = await ExpectMsgAsync<IActorRef>();

        counter.Tell(new GetTotal(), TestActor);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // still recovering
        gate.SetResult();
        await ExpectMsgAsync<Total>();

        Sys.Stop(counter);

        var terminated = await ExpectMsgAsync<Terminated>();
        Assert.Same(counter, terminated.ActorRef);
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
