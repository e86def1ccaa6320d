using System.Globalization;
using System.Runtime.CompilerServices;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;

namespace Actors.Persistence.Tck;

/// <summary>
/// The behaviour every <see cref="IJournal"/> must show. Derive a class in a test project and implement
/// <see cref="CreateJournalAsync"/>; every test uses its own persistence ids, so one storage may serve a whole class.
/// </summary>
public abstract class JournalSpec : IAsyncLifetime
{
    private readonly List<IJournal> _opened = [];
    private IEventSerializer? _serializer;
    private IJournal? _journal;

    /// <summary>
    /// Creates a journal for the current test. It may be called more than once per test (concurrent-writer tests
    /// use a second instance); every journal it returns in one test must see the same storage, so a store that
    /// lives only in its instance must return that same instance again. Build it with <see cref="Serializer"/>.
    /// </summary>
    protected abstract Task<IJournal> CreateJournalAsync();

    /// <summary>The serializer the journal under test must use (it knows the TCK payload types).</summary>
    protected virtual IEventSerializer CreateSerializer() => TckSerialization.CreateSerializer();

    /// <summary>Releases a journal created by <see cref="CreateJournalAsync"/> (each distinct instance once).</summary>
    protected virtual async ValueTask DisposeJournalAsync(IJournal journal)
    {
        switch (journal)
        {
            case IAsyncDisposable asyncDisposable: await asyncDisposable.DisposeAsync(); break;
            case IDisposable disposable: disposable.Dispose(); break;
        }
    }

    /// <summary>How long one journal operation may take before the test fails instead of hanging.</summary>
    protected virtual TimeSpan OperationTimeout => TimeSpan.FromSeconds(60);

    /// <summary>How many events the long-replay test writes; must exceed the journal's replay page size.</summary>
    protected virtual int ManyEventsCount => 2_500;

    /// <summary>How many concurrent writers (each with its own persistence id) the concurrency test starts.</summary>
    protected virtual int ConcurrentWriterCount => 100;

    /// <summary>How many races of two writers over the same sequence numbers the fence test runs.</summary>
    protected virtual int SameSequenceNrRaceCount => 20;

    /// <summary>A timestamp the journal can store exactly: now, UTC, truncated to whole milliseconds.</summary>
    protected virtual DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    protected IEventSerializer Serializer => _serializer ??= CreateSerializer();

    /// <summary>The journal under test (created before each test).</summary>
    protected IJournal Journal => _journal ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public virtual async Task InitializeAsync() => _journal = await OpenJournalAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var journal in _opened.Distinct(ReferenceEqualityComparer.Instance).Cast<IJournal>())
            await DisposeJournalAsync(journal);
        _opened.Clear();
    }

    /// <summary>Another journal instance over the same storage (see <see cref="CreateJournalAsync"/>).</summary>
    protected async Task<IJournal> OpenJournalAsync()
    {
        var journal = await CreateJournalAsync().WaitAsync(OperationTimeout);
        _opened.Add(journal);
        return journal;
    }

    // ================================================================== writing and replaying

    [Fact]
    public async Task Write_then_replay_returns_all_events_of_the_id_in_order()
    {
        var pid = NewPersistenceId();
        var other = NewPersistenceId();
        await WriteEventsAsync(pid, 1, 3);
        await WriteEventsAsync(other, 1, 2);
        await WriteEventsAsync(pid, 4, 5);

        AssertEvents(await ReplayAsync(pid), pid, 1, 2, 3, 4, 5);
        AssertEvents(await ReplayAsync(other), other, 1, 2);
    }

    [Fact]
    public async Task Write_of_no_atomic_writes_returns_no_results()
    {
        var results = await Journal.WriteAsync([]).WaitAsync(OperationTimeout);
        Assert.Empty(results);
    }

    [Fact]
    public async Task Replay_from_a_lower_bound()
    {
        var pid = await PidWithFiveEventsAsync();
        AssertEvents(await ReplayAsync(pid, from: 3), pid, 3, 4, 5);
    }

    [Fact]
    public async Task Replay_from_zero_returns_everything()
    {
        var pid = await PidWithFiveEventsAsync();
        AssertEvents(await ReplayAsync(pid, from: 0), pid, 1, 2, 3, 4, 5);
    }

    [Fact]
    public async Task Replay_to_an_upper_bound()
    {
        var pid = await PidWithFiveEventsAsync();
        AssertEvents(await ReplayAsync(pid, to: 3), pid, 1, 2, 3);
    }

    [Fact]
    public async Task Replay_from_and_to_returns_the_subset()
    {
        var pid = await PidWithFiveEventsAsync();
        AssertEvents(await ReplayAsync(pid, from: 2, to: 4), pid, 2, 3, 4);
    }

    [Fact]
    public async Task Replay_with_from_equal_to_returns_that_single_event()
    {
        var pid = await PidWithFiveEventsAsync();
        AssertEvents(await ReplayAsync(pid, from: 3, to: 3), pid, 3);
    }

    [Fact]
    public async Task Replay_limited_by_max()
    {
        var pid = await PidWithFiveEventsAsync();
        AssertEvents(await ReplayAsync(pid, max: 3), pid, 1, 2, 3);
        AssertEvents(await ReplayAsync(pid, max: 1), pid, 1);
        AssertEvents(await ReplayAsync(pid, max: 5), pid, 1, 2, 3, 4, 5);
        AssertEvents(await ReplayAsync(pid, max: int.MaxValue + 1L), pid, 1, 2, 3, 4, 5);
    }

    [Fact]
    public async Task Replay_with_from_to_and_max_together()
    {
        var pid = await PidWithFiveEventsAsync();
        AssertEvents(await ReplayAsync(pid, from: 2, to: 5, max: 2), pid, 2, 3);
        AssertEvents(await ReplayAsync(pid, from: 2, to: 3, max: 5), pid, 2, 3);
    }

    [Fact]
    public async Task Replay_with_max_zero_returns_nothing()
    {
        var pid = await PidWithFiveEventsAsync();
        Assert.Empty(await ReplayAsync(pid, max: 0));
    }

    [Fact]
    public async Task Replay_with_from_greater_than_to_returns_nothing()
    {
        var pid = await PidWithFiveEventsAsync();
        Assert.Empty(await ReplayAsync(pid, from: 4, to: 2));
    }

    [Fact]
    public async Task Replay_from_beyond_the_highest_returns_nothing()
    {
        var pid = await PidWithFiveEventsAsync();
        Assert.Empty(await ReplayAsync(pid, from: 6));
    }

    [Fact]
    public async Task Replay_to_beyond_the_highest_returns_up_to_the_highest()
    {
        var pid = await PidWithFiveEventsAsync();
        AssertEvents(await ReplayAsync(pid, from: 2, to: 100), pid, 2, 3, 4, 5);
    }

    [Fact]
    public async Task Unknown_id_replays_nothing_and_has_highest_sequence_nr_zero()
    {
        var pid = NewPersistenceId();
        Assert.Empty(await ReplayAsync(pid));
        Assert.Equal(0, await HighestAsync(pid));
    }

    [Fact]
    public async Task Replay_with_a_cancelled_token_throws_OperationCanceledException()
    {
        var pid = await PidWithFiveEventsAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in Journal.ReplayAsync(pid, 1, long.MaxValue, long.MaxValue, cts.Token))
            {
            }
        }).WaitAsync(OperationTimeout);
    }

    [Fact]
    public async Task Replay_by_callback_with_a_cancelled_token_throws_OperationCanceledException_and_delivers_nothing()
    {
        var pid = await PidWithFiveEventsAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var delivered = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Journal.ReplayMessagesAsync(pid, 1, long.MaxValue, long.MaxValue, _ => delivered++, cts.Token).WaitAsync(OperationTimeout));
        Assert.Equal(0, delivered);
    }

    [Fact]
    public async Task A_callback_that_throws_stops_the_replay_with_its_exception()
    {
        var pid = await PidWithFiveEventsAsync();
        var delivered = new List<long>();
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Journal.ReplayMessagesAsync(pid, 1, long.MaxValue, long.MaxValue, e =>
            {
                delivered.Add(e.SequenceNr);
                if (e.SequenceNr == 2) throw new InvalidOperationException("corrupt history");
            }).WaitAsync(OperationTimeout));
        Assert.Equal("corrupt history", thrown.Message);
        Assert.Equal([1L, 2L], delivered);
    }

    [Fact]
    public async Task Replay_of_many_events_is_complete_and_in_order_across_pages()
    {
        var pid = NewPersistenceId();
        var count = ManyEventsCount;
        const int eventsPerAtomicWrite = 25, atomicWritesPerCall = 10;
        for (var from = 1L; from <= count; from += eventsPerAtomicWrite * atomicWritesPerCall)
        {
            var writes = new List<AtomicWrite>();
            for (var start = from; start < from + eventsPerAtomicWrite * atomicWritesPerCall && start <= count; start += eventsPerAtomicWrite)
                writes.Add(Atomic(pid, start, Math.Min(start + eventsPerAtomicWrite - 1, count)));
            AssertAllStored(await WriteAsync(Journal, [.. writes]));
        }

        var all = await ReplayAsync(pid);
        AssertEvents(all, pid, Range(1, count));
        AssertStrictlyIncreasing(all.Select(e => e.Ordering));

        var window = await ReplayAsync(pid, from: count / 3, to: count - 50, max: count / 2);
        AssertEvents(window, pid, Range(count / 3, count / 3 + count / 2 - 1));

        Assert.Equal(count, await HighestAsync(pid));
    }

    // ================================================================== highest sequence number and deletes

    [Fact]
    public async Task Highest_sequence_nr_follows_the_writes()
    {
        var pid = NewPersistenceId();
        var other = NewPersistenceId();
        await WriteEventsAsync(pid, 1, 3);
        Assert.Equal(3, await HighestAsync(pid));

        AssertAllStored(await WriteAsync(Journal, Atomic(pid, 4, 6)));
        await WriteEventsAsync(other, 1, 1);
        Assert.Equal(6, await HighestAsync(pid));
        Assert.Equal(1, await HighestAsync(other));

        // fromSequenceNr is only a hint: the answer is still the highest.
        Assert.Equal(6, await Journal.ReadHighestSequenceNrAsync(pid, 2).WaitAsync(OperationTimeout));
    }

    [Fact]
    public async Task Delete_to_removes_only_the_events_up_to_it()
    {
        var pid = await PidWithFiveEventsAsync();
        var other = await PidWithFiveEventsAsync();

        await DeleteToAsync(pid, 3);

        AssertEvents(await ReplayAsync(pid), pid, 4, 5);
        Assert.Empty(await ReplayAsync(pid, from: 1, to: 3));
        Assert.Equal(5, await HighestAsync(pid));
        AssertEvents(await ReplayAsync(other), other, 1, 2, 3, 4, 5);

        await DeleteToAsync(pid, 2); // lower than before: changes nothing
        AssertEvents(await ReplayAsync(pid), pid, 4, 5);
        await DeleteToAsync(pid, 3); // again: idempotent
        AssertEvents(await ReplayAsync(pid), pid, 4, 5);
    }

    [Fact]
    public async Task Highest_sequence_nr_is_kept_after_deleting_all_events()
    {
        var pid = await PidWithFiveEventsAsync();

        await DeleteToAsync(pid, 5);

        Assert.Empty(await ReplayAsync(pid));
        Assert.Equal(5, await HighestAsync(pid));

        await WriteEventsAsync(pid, 6, 6);
        AssertEvents(await ReplayAsync(pid), pid, 6);
        Assert.Equal(6, await HighestAsync(pid));
    }

    [Fact]
    public async Task Delete_to_beyond_the_highest_deletes_everything_but_not_later_events()
    {
        var pid = NewPersistenceId();
        var all = NewPersistenceId();
        await WriteEventsAsync(pid, 1, 3);
        await WriteEventsAsync(all, 1, 3);

        await DeleteToAsync(pid, 100);
        await DeleteToAsync(all, long.MaxValue);

        Assert.Empty(await ReplayAsync(pid));
        Assert.Empty(await ReplayAsync(all));
        Assert.Equal(3, await HighestAsync(pid));
        Assert.Equal(3, await HighestAsync(all));

        // The actor goes on writing after deleting "everything": those events must stay visible.
        await WriteEventsAsync(pid, 4, 5);
        await WriteEventsAsync(all, 4, 5);
        AssertEvents(await ReplayAsync(pid), pid, 4, 5);
        AssertEvents(await ReplayAsync(all), all, 4, 5);
        Assert.Equal(5, await HighestAsync(pid));
    }

    [Fact]
    public async Task Delete_of_an_unknown_id_is_harmless_and_does_not_hide_its_later_events()
    {
        var pid = NewPersistenceId();

        await DeleteToAsync(pid, 10);
        Assert.Equal(0, await HighestAsync(pid));

        await WriteEventsAsync(pid, 1, 2);
        AssertEvents(await ReplayAsync(pid), pid, 1, 2);
        Assert.Equal(2, await HighestAsync(pid));
    }

    // ================================================================== rejection, atomicity, the fence

    [Fact]
    public async Task Unserializable_events_reject_only_their_own_atomic_write()
    {
        var good1 = NewPersistenceId();
        var delegateId = NewPersistenceId();
        var good2 = NewPersistenceId();
        var cycleId = NewPersistenceId();

        var results = await WriteAsync(Journal,
            Atomic(good1, 1, 1),
            new AtomicWrite(Event(delegateId, 1, new TckUnserializableEvent())),
            Atomic(good2, 1, 2),
            new AtomicWrite(Event(cycleId, 1, new TckSelfReferencingEvent())));

        AssertStored(results[0]);
        AssertRejected(results[1]);
        AssertStored(results[2]);
        AssertRejected(results[3]);
        AssertEvents(await ReplayAsync(good1), good1, 1);
        AssertEvents(await ReplayAsync(good2), good2, 1, 2);
        Assert.Empty(await ReplayAsync(delegateId));
        Assert.Empty(await ReplayAsync(cycleId));
        Assert.Equal(0, await HighestAsync(delegateId));
        Assert.Equal(0, await HighestAsync(cycleId));

        // The journal stays healthy and the rejected sequence number is still free.
        await WriteEventsAsync(delegateId, 1, 1);
        AssertEvents(await ReplayAsync(delegateId), delegateId, 1);
    }

    [Fact]
    public async Task Atomic_write_with_one_unserializable_event_stores_none_of_its_events()
    {
        var pid = NewPersistenceId();
        await WriteEventsAsync(pid, 1, 2);

        var results = await WriteAsync(Journal, new AtomicWrite([
            Event(pid, 3),
            Event(pid, 4, new TckUnserializableEvent()),
            Event(pid, 5),
        ]));

        AssertRejected(Assert.Single(results));
        AssertEvents(await ReplayAsync(pid), pid, 1, 2);
        Assert.Equal(2, await HighestAsync(pid));

        AssertAllStored(await WriteAsync(Journal, Atomic(pid, 3, 5)));
        AssertEvents(await ReplayAsync(pid), pid, 1, 2, 3, 4, 5);
    }

    [Fact]
    public async Task Atomic_write_over_a_taken_sequence_nr_fails_and_stores_none_of_its_events()
    {
        var pid = NewPersistenceId();
        await WriteEventsAsync(pid, 1, 3);

        var results = await WriteAsync(Journal, new AtomicWrite([
            Event(pid, 3, new TckEvent("impostor", 3)),
            Event(pid, 4, new TckEvent("impostor", 4)),
            Event(pid, 5, new TckEvent("impostor", 5)),
        ]));

        AssertFailed(Assert.Single(results));
        AssertEvents(await ReplayAsync(pid), pid, 1, 2, 3);
        Assert.Equal(3, await HighestAsync(pid));

        AssertAllStored(await WriteAsync(Journal, Atomic(pid, 4, 5)));
        AssertEvents(await ReplayAsync(pid), pid, 1, 2, 3, 4, 5);
    }

    [Fact]
    public async Task Writing_a_taken_sequence_nr_fails_and_overwrites_nothing()
    {
        var pid = NewPersistenceId();
        var original = new TckEvent("original", 1);
        AssertAllStored(await WriteAsync(Journal, new AtomicWrite(Event(pid, 1, original))));

        var second = await WriteAsync(Journal, new AtomicWrite(Event(pid, 1, new TckEvent("impostor", 1), writerId: "other-writer")));

        AssertFailed(Assert.Single(second));
        var replayed = Assert.Single(await ReplayAsync(pid));
        Assert.Equal(original, replayed.Payload);
        Assert.Equal(DefaultWriterId, replayed.WriterId);
    }

    [Fact]
    public async Task A_taken_sequence_nr_fails_only_its_own_atomic_write()
    {
        var taken = NewPersistenceId();
        var before = NewPersistenceId();
        var after = NewPersistenceId();
        await WriteEventsAsync(taken, 1, 1);

        var results = await WriteAsync(Journal,
            Atomic(before, 1, 2),
            new AtomicWrite(Event(taken, 1, new TckEvent("impostor", 1))),
            Atomic(after, 1, 1));

        AssertStored(results[0]);
        AssertFailed(results[1]);
        AssertStored(results[2]);
        AssertEvents(await ReplayAsync(before), before, 1, 2);
        AssertEvents(await ReplayAsync(taken), taken, 1);
        AssertEvents(await ReplayAsync(after), after, 1);
    }

    [Fact]
    public async Task Two_concurrent_writers_of_the_same_sequence_nrs_exactly_one_wins()
    {
        var first = Journal;
        var second = await OpenJournalAsync();

        for (var round = 0; round < SameSequenceNrRaceCount; round++)
        {
            var pid = NewPersistenceId();
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task<IReadOnlyList<WriteResult>> Race(IJournal journal, string writer) => Task.Run(async () =>
            {
                await go.Task;
                return await journal.WriteAsync([new AtomicWrite([
                    Event(pid, 1, new TckEvent(writer, 1), writerId: writer),
                    Event(pid, 2, new TckEvent(writer, 2), writerId: writer),
                    Event(pid, 3, new TckEvent(writer, 3), writerId: writer),
                ])]);
            });

            var a = Race(first, "writer-a");
            var b = Race(second, "writer-b");
            go.SetResult();
            var results = await Task.WhenAll(a, b).WaitAsync(OperationTimeout);

            var resultA = Assert.Single(results[0]);
            var resultB = Assert.Single(results[1]);
            Assert.True(resultA is WriteResult.Stored ^ resultB is WriteResult.Stored,
                $"Round {round}: exactly one writer must win, but got A={resultA} and B={resultB}.");
            var loser = resultA is WriteResult.Stored ? resultB : resultA;
            AssertFailed(loser);

            var winner = resultA is WriteResult.Stored ? "writer-a" : "writer-b";
            var replayed = await ReplayAsync(pid);
            Assert.Equal(new long[] { 1, 2, 3 }, replayed.Select(e => e.SequenceNr));
            Assert.All(replayed, e =>
            {
                Assert.Equal(new TckEvent(winner, (int)e.SequenceNr), e.Payload);
                Assert.Equal(winner, e.WriterId);
            });
            Assert.Equal(3, await HighestAsync(pid));
        }
    }

    [Fact]
    public async Task Concurrent_writers_to_different_ids_are_all_stored()
    {
        var pids = Enumerable.Range(0, ConcurrentWriterCount).Select(_ => NewPersistenceId()).ToArray();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = pids.Select(pid => Task.Run(async () =>
        {
            await go.Task;
            var first = await Journal.WriteAsync([Atomic(pid, 1, 3)]);
            var second = await Journal.WriteAsync([Atomic(pid, 4, 4)]);
            return first.Concat(second).ToArray();
        })).ToArray();
        go.SetResult();

        var results = await Task.WhenAll(writers).WaitAsync(OperationTimeout);

        Assert.All(results.SelectMany(r => r), AssertStored);
        var orderings = new List<long>();
        foreach (var pid in pids)
        {
            var replayed = await ReplayAsync(pid);
            AssertEvents(replayed, pid, 1, 2, 3, 4);
            AssertStrictlyIncreasing(replayed.Select(e => e.Ordering));
            orderings.AddRange(replayed.Select(e => e.Ordering));
        }
        Assert.Equal(orderings.Count, orderings.Distinct().Count());
    }

    // ================================================================== what comes back

    [Fact]
    public async Task Events_round_trip_with_manifest_writer_id_timestamp_and_tags()
    {
        var pid = NewPersistenceId();
        var earlier = new DateTimeOffset(2024, 2, 29, 13, 14, 15, 678, TimeSpan.FromHours(2));
        var now = Now();
        var written = new[]
        {
            new PersistentRepr(pid, 1, new TckEvent("Zürich ✓ 😀 \"quoted\" \\ back", 1), "writer-1", earlier, ["tag-a", "tag-b"]),
            new PersistentRepr(pid, 2, new TckMoney(12.34m, "CHF"), "writer-2", now, ["tag-b"]),
            new PersistentRepr(pid, 3, new TckEvent("", -7), "writer-2", now, PersistentRepr.NoTags),
        };
        AssertAllStored(await WriteAsync(Journal, new AtomicWrite(written[0]), new AtomicWrite(written[1..])));

        var replayed = await ReplayAsync(pid);

        Assert.Equal(written.Length, replayed.Count);
        for (var i = 0; i < written.Length; i++)
        {
            var (expected, actual) = (written[i], replayed[i]);
            Assert.Equal(expected.PersistenceId, actual.PersistenceId);
            Assert.Equal(expected.SequenceNr, actual.SequenceNr);
            Assert.Equal(expected.Payload, actual.Payload);
            Assert.Equal(Serializer.Serialize(expected.Payload).Manifest, actual.Manifest);
            Assert.Equal(expected.WriterId, actual.WriterId);
            Assert.True(expected.Timestamp == actual.Timestamp,
                $"Timestamp of seq {expected.SequenceNr}: expected {expected.Timestamp:O}, got {actual.Timestamp:O}.");
            Assert.NotNull(actual.Tags);
            Assert.Equal(expected.Tags.Order(StringComparer.Ordinal), actual.Tags.Order(StringComparer.Ordinal));
            Assert.True(actual.Ordering > 0, $"Replayed events must carry their ordering; seq {actual.SequenceNr} has {actual.Ordering}.");
        }
        Assert.Equal(TckSerialization.EventManifest, replayed[0].Manifest);
        Assert.Equal(TckSerialization.MoneyManifest, replayed[1].Manifest);
    }

    [Fact]
    public async Task Decimal_payloads_come_back_exactly()
    {
        var pid = NewPersistenceId();
        decimal[] amounts =
        [
            0.1m, 1.10m, 1.000m, -0.5m, 0m, 0.0000000000000000000000000001m,
            12345678901234567890.123456789m, decimal.MaxValue, decimal.MinValue, 7.9228162514264337593543950335m,
        ];
        var events = amounts.Select((amount, i) => Event(pid, i + 1, new TckMoney(amount, "EUR"))).ToArray();
        AssertAllStored(await WriteAsync(Journal, new AtomicWrite(events)));

        var replayed = await ReplayAsync(pid);

        Assert.Equal(amounts.Length, replayed.Count);
        for (var i = 0; i < amounts.Length; i++)
        {
            var money = Assert.IsType<TckMoney>(replayed[i].Payload);
            Assert.Equal(amounts[i], money.Amount);
            Assert.Equal(amounts[i].ToString(CultureInfo.InvariantCulture), money.Amount.ToString(CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Large_event_round_trips()
    {
        var pid = NewPersistenceId();
        var big = new TckEvent(LargeText(100 * 1024), 1);
        AssertAllStored(await WriteAsync(Journal, new AtomicWrite(Event(pid, 1, big))));

        var replayed = Assert.Single(await ReplayAsync(pid));
        Assert.Equal(big, replayed.Payload);
    }

    [Fact]
    public async Task Ordering_increases_across_writes_and_is_reported_on_replay()
    {
        var a = NewPersistenceId();
        var b = NewPersistenceId();

        var o1 = StoredOrdering(await WriteAsync(Journal, Atomic(a, 1, 1)));
        var o2 = StoredOrdering(await WriteAsync(Journal, Atomic(b, 1, 3)));
        var o3 = StoredOrdering(await WriteAsync(Journal, Atomic(a, 2, 2)));

        Assert.True(o1 > 0, $"Orderings are 1-based; got {o1}.");
        Assert.True(o1 < o2 && o2 < o3, $"Orderings must increase across writes: {o1}, {o2}, {o3}.");

        var replayedA = await ReplayAsync(a);
        var replayedB = await ReplayAsync(b);
        Assert.Equal(new[] { o1, o3 }, replayedA.Select(e => e.Ordering));
        AssertStrictlyIncreasing(replayedB.Select(e => e.Ordering));
        Assert.Equal(o2, replayedB[^1].Ordering);
        Assert.True(replayedB[0].Ordering > o1, "Every event of a later write must be ordered after the earlier write.");
    }

    // ================================================================== helpers

    protected const string DefaultWriterId = "tck-writer";

    /// <summary>A persistence id no other test (or earlier run against the same storage) uses.</summary>
    protected static string NewPersistenceId([CallerMemberName] string test = "")
    {
        var prefix = test.Length > 40 ? test[..40] : test;
        return $"tck-{prefix}-{Guid.NewGuid():N}";
    }

    protected static object DefaultPayload(string persistenceId, long sequenceNr) => new TckEvent($"{persistenceId}:{sequenceNr}", (int)sequenceNr);

    protected PersistentRepr Event(string persistenceId, long sequenceNr, object? payload = null, string writerId = DefaultWriterId, IReadOnlyList<string>? tags = null) =>
        new(persistenceId, sequenceNr, payload ?? DefaultPayload(persistenceId, sequenceNr), writerId, Now(), tags ?? PersistentRepr.NoTags);

    /// <summary>One atomic write of the default events from..to.</summary>
    protected AtomicWrite Atomic(string persistenceId, long from, long to) =>
        new([.. Range(from, to).Select(seq => Event(persistenceId, seq))]);

    protected async Task<IReadOnlyList<WriteResult>> WriteAsync(IJournal journal, params AtomicWrite[] writes)
    {
        var results = await journal.WriteAsync(writes).WaitAsync(OperationTimeout);
        Assert.Equal(writes.Length, results.Count);
        return results;
    }

    /// <summary>Writes the default events from..to, one atomic write each, in one call, and asserts they were stored.</summary>
    protected async Task WriteEventsAsync(string persistenceId, long from, long to) =>
        AssertAllStored(await WriteAsync(Journal, [.. Range(from, to).Select(seq => new AtomicWrite(Event(persistenceId, seq)))]));

    protected async Task<string> PidWithFiveEventsAsync([CallerMemberName] string test = "")
    {
        var pid = NewPersistenceId(test);
        await WriteEventsAsync(pid, 1, 5);
        return pid;
    }

    protected async Task<IReadOnlyList<PersistentRepr>> ReplayAsync(string persistenceId, long from = 1, long to = long.MaxValue, long max = long.MaxValue, IJournal? journal = null)
    {
        var source = journal ?? Journal;
        async Task<IReadOnlyList<PersistentRepr>> Collect()
        {
            var events = new List<PersistentRepr>();
            await foreach (var e in source.ReplayAsync(persistenceId, from, to, max)) events.Add(e);
            return events;
        }
        async Task<IReadOnlyList<PersistentRepr>> CollectByCallback()
        {
            var events = new List<PersistentRepr>();
            await source.ReplayMessagesAsync(persistenceId, from, to, max, events.Add);
            return events;
        }
        // Both ways of replaying (the stream, and recovery's callback per event) must deliver the same events.
        var streamed = await Collect().WaitAsync(OperationTimeout);
        AssertSameReplay(streamed, await CollectByCallback().WaitAsync(OperationTimeout));
        return streamed;
    }

    /// <summary>Asserts that two replays delivered equal events (payload, position, manifest, writer, time, tags) in the same order.</summary>
    public static void AssertSameReplay(IReadOnlyList<PersistentRepr> expected, IReadOnlyList<PersistentRepr> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal((e.PersistenceId, e.SequenceNr, e.Ordering, e.Manifest, e.WriterId, e.Timestamp), (a.PersistenceId, a.SequenceNr, a.Ordering, a.Manifest, a.WriterId, a.Timestamp));
            // Each replay deserializes its own payloads, which need not have value equality: compare their content.
            Assert.Equal(e.Payload.GetType(), a.Payload.GetType());
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(e.Payload, e.Payload.GetType()), System.Text.Json.JsonSerializer.Serialize(a.Payload, a.Payload.GetType()));
            Assert.Equal(e.Tags, a.Tags);
        }
    }

    protected Task<long> HighestAsync(string persistenceId) => Journal.ReadHighestSequenceNrAsync(persistenceId).WaitAsync(OperationTimeout);

    protected Task DeleteToAsync(string persistenceId, long toSequenceNr) => Journal.DeleteMessagesToAsync(persistenceId, toSequenceNr).WaitAsync(OperationTimeout);

    protected static long[] Range(long from, long to) => from > to ? [] : [.. Enumerable.Range(0, checked((int)(to - from + 1))).Select(i => from + i)];

    protected static string LargeText(int length) =>
        string.Create(length, 0, static (span, _) =>
        {
            const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 äöü€";
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[(i * 7 + i / 13) % alphabet.Length];
        });

    /// <summary>Asserts the events are exactly the default events of <paramref name="persistenceId"/> with these sequence numbers, in this order.</summary>
    protected static void AssertEvents(IReadOnlyList<PersistentRepr> events, string persistenceId, params long[] sequenceNrs)
    {
        Assert.Equal(sequenceNrs, events.Select(e => e.SequenceNr));
        foreach (var e in events)
        {
            Assert.Equal(persistenceId, e.PersistenceId);
            Assert.Equal(DefaultPayload(persistenceId, e.SequenceNr), e.Payload);
        }
    }

    protected static void AssertStrictlyIncreasing(IEnumerable<long> values)
    {
        long? previous = null;
        foreach (var value in values)
        {
            Assert.True(previous is null || value > previous, $"Expected strictly increasing values, but {value} follows {previous}.");
            previous = value;
        }
    }

    protected static void AssertAllStored(IReadOnlyList<WriteResult> results) => Assert.All(results, AssertStored);

    protected static void AssertStored(WriteResult result)
    {
        if (result is not WriteResult.Stored) Assert.Fail($"Expected Stored, got {result}");
    }

    protected static void AssertRejected(WriteResult result)
    {
        if (result is not WriteResult.Rejected) Assert.Fail($"Expected Rejected, got {result}");
    }

    protected static void AssertFailed(WriteResult result)
    {
        if (result is not WriteResult.Failed) Assert.Fail($"Expected Failed, got {result}");
    }

    private static long StoredOrdering(IReadOnlyList<WriteResult> results) =>
        Assert.IsType<WriteResult.Stored>(Assert.Single(results)).HighestOrdering;
}
