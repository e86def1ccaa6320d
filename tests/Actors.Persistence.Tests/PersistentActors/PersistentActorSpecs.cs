using Actors.Core;
using Actors.Persistence.InMemory;
using Actors.Persistence.Serialization;
using Actors.TestKit;

namespace Actors.Persistence.Tests.PersistentActors;

public sealed class PersistentActorSpecs : TestKit.TestKit
{
    private readonly InMemoryJournal _journal;
    private readonly InMemorySnapshotStore _snapshots;

    public PersistentActorSpecs()
    {
        var serializer = new JsonEventSerializer(new EventTypeRegistry());
        _journal = new InMemoryJournal(serializer);
        _snapshots = new InMemorySnapshotStore(serializer);
        Persistence.Register(Sys, _journal, _snapshots, new PersistenceSettings { MaxConcurrentRecoveries = 4 });
    }

    private IActorRef Counter(string id, IActorRef? probe = null) => ActorOf(Props.Create(() => new CounterActor(id, probe)));

    private async Task<IActorRef> RestartedCounter(IActorRef counter, string id, IActorRef? probe = null)
    {
        Assert.True(await counter.GracefulStop(Dilated(TimeSpan.FromSeconds(3))));
        return Counter(id, probe);
    }

    [Fact]
    public async Task Persisted_events_are_recovered_after_a_restart()
    {
        var counter = Counter("c-1");
        counter.Tell(new Add(2), TestActor);
        counter.Tell(new Add(3), TestActor);
        await ExpectMsgAsync<Total>(t => t.Value == 2);
        await ExpectMsgAsync<Total>(t => t.Value == 5 && t.LastSequenceNr == 2);

        var again = await RestartedCounter(counter, "c-1");
        again.Tell(new GetTotal(), TestActor);
        var total = await ExpectMsgAsync<Total>();
        Assert.Equal(5, total.Value);
        Assert.Equal(2, total.LastSequenceNr);
        Assert.Equal([2, 3], total.Applied);
    }

    [Fact]
    public async Task The_handler_runs_only_after_the_write_is_durable()
    {
        var counter = Counter("c-2");
        _journal.PauseWrites();
        counter.Tell(new Add(1), TestActor);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, _journal.HighestOrdering);

        _journal.ResumeWrites();
        await ExpectMsgAsync<Total>(t => t.Value == 1);
        Assert.Equal(1, _journal.HighestOrdering);
    }

    [Fact]
    public async Task Commands_arriving_while_persisting_wait_and_are_handled_in_order()
    {
        var counter = Counter("c-3");
        _journal.PauseWrites();
        counter.Tell(new Add(1), TestActor);
        counter.Tell(new GetTotal(), TestActor);
        counter.Tell(new Add(10), TestActor);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(150));

        _journal.ResumeWrites();
        Assert.Equal(1, (await ExpectMsgAsync<Total>()).Value);
        Assert.Equal(1, (await ExpectMsgAsync<Total>()).Value); // the query saw the first event applied, not half of it
        var last = await ExpectMsgAsync<Total>();
        Assert.Equal(11, last.Value);
        Assert.Equal([1, 10], last.Applied);
    }

    [Fact]
    public async Task PersistAll_writes_atomically_and_runs_handlers_in_order()
    {
        var counter = Counter("c-4");
        counter.Tell(new AddTwice(4), TestActor);
        var first = await ExpectMsgAsync<Total>();
        var second = await ExpectMsgAsync<Total>();
        Assert.Equal((4, 1L), (first.Value, first.LastSequenceNr));
        Assert.Equal((8, 2L), (second.Value, second.LastSequenceNr));
    }

    [Fact]
    public async Task A_failed_write_stops_the_actor_and_the_sender_gets_a_failure_not_a_success()
    {
        var counter = Counter("c-5");
        counter.Tell(new Add(1), TestActor);
        await ExpectMsgAsync<Total>();

        _journal.FailNextWrite(persistenceId: "c-5");
        counter.Tell(new Add(2), TestActor);
        var failure = await ExpectMsgAsync<Status.Failure>();
        Assert.IsType<PersistenceFailureException>(failure.Cause);
        await ExpectTerminatedAsync(counter);

        var recovered = Counter("c-5");
        recovered.Tell(new GetTotal(), TestActor);
        Assert.Equal(1, (await ExpectMsgAsync<Total>()).Value);
    }

    [Fact]
    public async Task A_rejected_event_fails_only_that_command_and_the_actor_goes_on()
    {
        var counter = Counter("c-6");
        counter.Tell(new PersistUnserializable(), TestActor);
        var failure = await ExpectMsgAsync<Status.Failure>();
        Assert.IsType<PersistenceRejectedException>(failure.Cause);

        counter.Tell(new Add(7), TestActor);
        var total = await ExpectMsgAsync<Total>();
        Assert.Equal(7, total.Value);
        Assert.Equal(1, total.LastSequenceNr); // the rejected event took no sequence number
    }

    [Fact]
    public async Task A_recovery_failure_stops_the_actor()
    {
        _journal.FailNextReplay(persistenceId: "c-7");
        var counter = Counter("c-7");
        await ExpectTerminatedAsync(counter);
    }

    [Fact]
    public async Task Recovery_starts_from_the_latest_snapshot_and_replays_only_later_events()
    {
        var probe = CreateTestProbe();
        var counter = Counter("c-8", probe.Ref);
        await probe.ExpectMsgAsync<RecoveryCompleted>();
        counter.Tell(new Add(1), TestActor);
        counter.Tell(new Add(2), TestActor);
        await ReceiveNAsync(2);
        counter.Tell(new TakeSnapshot(), TestActor);
        await probe.ExpectMsgAsync<SaveSnapshotSuccess>(s => s.Metadata.SequenceNr == 2);
        counter.Tell(new Add(3), TestActor);
        await ExpectMsgAsync<Total>(t => t.Value == 6);

        var again = await RestartedCounter(counter, "c-8", probe.Ref);
        var offer = await probe.ExpectMsgAsync<SnapshotOffer>();
        Assert.Equal(2, offer.Metadata.SequenceNr);
        await probe.ExpectMsgAsync<RecoveryCompleted>();
        again.Tell(new GetTotal(), TestActor);
        var total = await ExpectMsgAsync<Total>();
        Assert.Equal((6, 3L), (total.Value, total.LastSequenceNr));
        Assert.Equal([1, 2, 3], total.Applied);
    }

    [Fact]
    public async Task SnapshotSequenceNr_is_that_of_the_snapshot_last_asked_for_or_recovered_from()
    {
        var probe = CreateTestProbe();
        var counter = Counter("c-snapshot-nr", probe.Ref);
        await probe.ExpectMsgAsync<RecoveryCompleted>();
        Assert.Equal(0L, await counter.Ask<long>(new GetSnapshotSequenceNr()));

        counter.Tell(new Add(1), TestActor);
        counter.Tell(new Add(2), TestActor);
        await ReceiveNAsync(2);
        counter.Tell(new TakeSnapshot(), TestActor);
        Assert.Equal(2L, await counter.Ask<long>(new GetSnapshotSequenceNr())); // asked for: set before the store answers
        await probe.ExpectMsgAsync<SaveSnapshotSuccess>(s => s.Metadata.SequenceNr == 2);
        counter.Tell(new Add(3), TestActor);
        await ExpectMsgAsync<Total>(t => t.Value == 6);
        Assert.Equal(2L, await counter.Ask<long>(new GetSnapshotSequenceNr()));

        var again = await RestartedCounter(counter, "c-snapshot-nr", probe.Ref);
        await probe.ExpectMsgAsync<SnapshotOffer>();
        await probe.ExpectMsgAsync<RecoveryCompleted>();
        Assert.Equal(2L, await again.Ask<long>(new GetSnapshotSequenceNr()));
    }

    [Fact]
    public async Task Sequence_numbers_continue_after_all_events_were_deleted()
    {
        var probe = CreateTestProbe();
        var counter = Counter("c-9", probe.Ref);
        counter.Tell(new Add(1), TestActor);
        counter.Tell(new Add(1), TestActor);
        await ReceiveNAsync(2);
        counter.Tell(new DeleteUpTo(2), TestActor);
        await probe.FishForMessageAsync<DeleteMessagesSuccess>();

        var again = await RestartedCounter(counter, "c-9");
        again.Tell(new Add(5), TestActor);
        var total = await ExpectMsgAsync<Total>();
        Assert.Equal(3, total.LastSequenceNr);
        Assert.Equal(5, total.Value);
    }

    [Fact]
    public async Task A_restart_after_a_failure_recovers_the_state_again()
    {
        var counter = Counter("c-10");
        counter.Tell(new Add(4), TestActor);
        await ExpectMsgAsync<Total>();
        counter.Tell(Kill.Instance, TestActor); // default supervision stops a killed actor
        await ExpectTerminatedAsync(counter);

        var again = Counter("c-10");
        again.Tell(new GetTotal(), TestActor);
        Assert.Equal(4, (await ExpectMsgAsync<Total>()).Value);
    }
}
