using Actors.Persistence.InMemory;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Tck;

namespace Actors.Persistence.Tests;

/// <summary>The journal TCK against <see cref="InMemoryJournal"/>, plus the in-memory journal's own test hooks and read API.</summary>
public sealed class InMemoryJournalTckTests : JournalSpec
{
    private InMemoryJournal? _journal;

    private InMemoryJournal Memory => _journal ??= new InMemoryJournal(Serializer);

    // The storage lives in the instance: every "second journal" of a test is the same one.
    protected override Task<IJournal> CreateJournalAsync() => Task.FromResult<IJournal>(Memory);

    protected override IEventSerializer CreateSerializer() =>
        new JsonEventSerializer(TckSerialization.CreateRegistry().Map<MutableEvent>("test.mutable"));

    public sealed class MutableEvent
    {
        public string Text { get; set; } = "";
    }

    [Fact]
    public async Task Stored_events_do_not_change_when_the_persisted_object_is_mutated()
    {
        var pid = NewPersistenceId();
        var payload = new MutableEvent { Text = "before" };
        AssertAllStored(await WriteAsync(Journal, new AtomicWrite(Event(pid, 1, payload))));

        payload.Text = "after";

        var replayed = Assert.IsType<MutableEvent>(Assert.Single(await ReplayAsync(pid)).Payload);
        Assert.Equal("before", replayed.Text);
        Assert.NotSame(payload, replayed);
    }

    [Fact]
    public async Task FailNextWrite_fails_exactly_the_next_atomic_write_and_stores_nothing_of_it()
    {
        var pid = NewPersistenceId();
        var cause = new InvalidOperationException("disk on fire");
        Memory.FailNextWrite(cause);

        var results = await WriteAsync(Journal, Atomic(pid, 1, 2), Atomic(pid, 3, 3));

        Assert.Same(cause, Assert.IsType<WriteResult.Failed>(results[0]).Cause);
        AssertStored(results[1]);
        AssertEvents(await ReplayAsync(pid), pid, 3);
        await WriteEventsAsync(pid, 1, 2); // the failed numbers were not taken
    }

    [Fact]
    public async Task RejectNextWrite_rejects_the_next_write_of_the_given_id_only()
    {
        var pid = NewPersistenceId();
        var other = NewPersistenceId();
        Memory.RejectNextWrite(persistenceId: pid);

        var results = await WriteAsync(Journal, Atomic(other, 1, 1), Atomic(pid, 1, 1), Atomic(pid, 2, 2));

        AssertStored(results[0]);
        Assert.IsType<EventSerializationException>(Assert.IsType<WriteResult.Rejected>(results[1]).Cause);
        AssertStored(results[2]);
        AssertEvents(await ReplayAsync(pid), pid, 2);
    }

    [Fact]
    public async Task Injected_faults_queue_up_and_can_be_cleared()
    {
        var pid = NewPersistenceId();
        Memory.FailNextWrite();
        Memory.RejectNextWrite();
        Memory.FailNextWrite();

        var results = await WriteAsync(Journal, Atomic(pid, 1, 1), Atomic(pid, 2, 2));
        AssertFailed(results[0]);
        AssertRejected(results[1]);

        Memory.ClearFaults();
        await WriteEventsAsync(pid, 3, 3);
        AssertEvents(await ReplayAsync(pid), pid, 3);
    }

    [Fact]
    public async Task FailNextReplay_fails_one_replay()
    {
        var pid = await PidWithFiveEventsAsync();
        var cause = new InvalidOperationException("cannot read");
        Memory.FailNextReplay(cause, pid);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => ReplayAsync(pid));

        Assert.Same(cause, thrown);
        AssertEvents(await ReplayAsync(pid), pid, 1, 2, 3, 4, 5);
    }

    [Fact]
    public async Task EventsWritten_is_raised_after_stored_writes_only()
    {
        var pid = NewPersistenceId();
        var raised = 0;
        Memory.EventsWritten += () => Interlocked.Increment(ref raised);
        Memory.EventsWritten += () => throw new InvalidOperationException("a broken listener must not fail the write");

        await WriteEventsAsync(pid, 1, 2);
        Assert.Equal(1, Volatile.Read(ref raised));

        AssertRejected(Assert.Single(await WriteAsync(Journal, new AtomicWrite(Event(pid, 3, new TckUnserializableEvent())))));
        AssertFailed(Assert.Single(await WriteAsync(Journal, Atomic(pid, 1, 1))));
        Assert.Equal(1, Volatile.Read(ref raised));
    }

    [Fact]
    public async Task ReadAllEvents_pages_through_all_ids_in_ordering_order_without_deleted_events()
    {
        var a = NewPersistenceId();
        var b = NewPersistenceId();
        var start = Memory.HighestOrdering;
        await WriteEventsAsync(a, 1, 2);
        AssertAllStored(await WriteAsync(Journal, new AtomicWrite([
            Event(b, 1, tags: ["blue"]),
            Event(b, 2, tags: ["red", "blue"]),
        ])));
        await WriteEventsAsync(a, 3, 3);
        await DeleteToAsync(a, 1);

        var all = Memory.ReadAllEvents(start, int.MaxValue);
        Assert.Equal(new[] { (a, 2L), (b, 1L), (b, 2L), (a, 3L) }, all.Select(e => (e.PersistenceId, e.SequenceNr)));
        AssertStrictlyIncreasing(all.Select(e => e.Ordering));
        Assert.All(all, e => Assert.Equal(TckSerialization.EventManifest, e.Manifest));
        Assert.Equal(all[^1].Ordering, Memory.HighestOrdering);

        var firstPage = Memory.ReadAllEvents(start, 2);
        var secondPage = Memory.ReadAllEvents(firstPage[^1].Ordering, 2);
        Assert.Equal(all, firstPage.Concat(secondPage));
        Assert.Empty(Memory.ReadAllEvents(Memory.HighestOrdering, 10));
        Assert.Empty(Memory.ReadAllEvents(start, 0));

        var blue = Memory.ReadEventsByTag("blue", start, 10);
        Assert.Equal(new long[] { 1, 2 }, blue.Select(e => e.SequenceNr));
        Assert.Equal(b, Assert.Single(Memory.ReadEventsByTag("red", start, 10)).PersistenceId);

        Assert.Contains(a, Memory.ReadPersistenceIds());
        Assert.Contains(b, Memory.ReadPersistenceIds());
    }

    [Fact]
    public async Task PauseWrites_holds_writes_until_ResumeWrites()
    {
        var pid = NewPersistenceId();
        Memory.PauseWrites();

        var write = Journal.WriteAsync([Atomic(pid, 1, 1)]);
        await Task.Delay(50);
        Assert.False(write.IsCompleted);
        Assert.Equal(0, await HighestAsync(pid));

        Memory.ResumeWrites();
        AssertAllStored(await write.WaitAsync(OperationTimeout));
        AssertEvents(await ReplayAsync(pid), pid, 1);
    }

    [Fact]
    public async Task WriteDelay_delays_every_write()
    {
        var pid = NewPersistenceId();
        Memory.WriteDelay = TimeSpan.FromMilliseconds(100);

        var started = System.Diagnostics.Stopwatch.StartNew();
        await WriteEventsAsync(pid, 1, 1);

        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(90), $"The write took only {started.Elapsed}.");
        Memory.WriteDelay = TimeSpan.Zero;
        AssertEvents(await ReplayAsync(pid), pid, 1);
    }

    [Fact]
    public async Task Paused_write_can_be_cancelled()
    {
        var pid = NewPersistenceId();
        Memory.PauseWrites();
        using var cts = new CancellationTokenSource();

        var write = Journal.WriteAsync([Atomic(pid, 1, 1)], cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(OperationTimeout));
        Memory.ResumeWrites();
        Assert.Equal(0, await HighestAsync(pid));
    }
}
