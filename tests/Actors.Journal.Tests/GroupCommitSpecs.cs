using Akka.Persistence;
using Akka.TestKit;
using Bank.Testing;
using Xunit.Abstractions;

namespace Actors.Journal.Tests;

/// <summary>
/// What only our writer promises: the writes of many actors share transactions, a failed write fails alone, and the buffer
/// is bounded. Writes are made to queue up deterministically by holding the database's write lock from another connection.
/// </summary>
public abstract class GroupCommitSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    protected abstract Task<TestDatabase> CreateDatabaseAsync();
    protected abstract JournalProvider Provider { get; }

    /// <summary>HOCON for this variant of the writer (e.g. PostgreSQL's COPY path for every batch).</summary>
    protected virtual string WriterConfig => "";

    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await CreateDatabaseAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private JournalHarness Harness(string extra = "") => new(_db, Writer.GroupCommit, output, WriterConfig + "\n" + extra);

    /// <summary>Creates the tables (the first write), so that holding the write lock has a table to lock.</summary>
    private static async Task WarmUpAsync(JournalHarness journal) =>
        Assert.Equal(EventOutcome.Stored, (await journal.WriteAsync(Events.Write("warm-up", 1)))[0].Outcome);

    /// <summary>
    /// Writes of one to three events (<c>{prefix}-{i}</c>: i % 3 + 1 of them) from <paramref name="actors"/> actors, queued
    /// while another connection holds the write lock so that they share transactions; asserts that all were stored.
    /// </summary>
    private async Task WriteQueuedBehindHeldLockAsync(JournalHarness journal, string prefix, int actors)
    {
        var probes = new List<(TestProbe, AtomicWrite[])>();
        await using (await _db.HoldWritesAsync())
        {
            for (var i = 0; i < actors; i++)
            {
                var probe = journal.CreateProbe();
                var writes = new[] { Events.Write($"{prefix}-{i}", 1, i % 3 + 1) };
                journal.Send(probe, writes);
                probes.Add((probe, writes));
            }
            await journal.JournalHasTakenEarlierMessagesAsync();
        }
        foreach (var (probe, writes) in probes)
            Assert.All(await JournalHarness.ExpectOutcomesAsync(probe, writes), o => Assert.Equal(EventOutcome.Stored, o.Outcome));
    }

    [Fact]
    public async Task The_writes_of_many_actors_queued_during_a_commit_share_the_next_transaction()
    {
        using var journal = Harness();
        await WarmUpAsync(journal);
        var commits = 0;
        using var subscription = JournalCommits.Subscribe(Provider, _db.ConnectionString, _ => Interlocked.Increment(ref commits));

        await WriteQueuedBehindHeldLockAsync(journal, "actor", 50);
        Assert.Equal(1 + Enumerable.Range(0, 50).Sum(i => i % 3 + 1), await _db.ScalarAsync("SELECT count(*) FROM journal"));
        // Per write lane, at most one write went alone (the lane may have taken it before the rest arrived); the rest, together.
        var lanes = Provider == JournalProvider.Sqlite ? 1 : 2;
        Assert.True(commits >= 1 && commits <= 2 * lanes, $"{commits} transactions");
    }

    [Fact]
    public async Task Each_committed_write_is_remembered_in_process_with_the_ordering_of_its_last_event()
    {
        using var journal = Harness();
        await WarmUpAsync(journal);
        var lastWrites = JournalCommits.RememberLastWrites(Provider, _db.ConnectionString);

        await WriteQueuedBehindHeldLockAsync(journal, "remembered", 30);

        for (var i = 0; i < 30; i++)
        {
            var last = i % 3 + 1;
            var stored = await _db.ScalarAsync($"SELECT ordering FROM journal WHERE persistence_id = 'remembered-{i}' AND sequence_number = {last}");
            Assert.True(lastWrites.TryGetOrdering($"remembered-{i}", last, out var remembered), $"remembered-{i} was not remembered");
            Assert.Equal(stored, remembered);
            // Only the last event of a write is remembered: an earlier one is asked of the database.
            if (last > 1) Assert.False(lastWrites.TryGetOrdering($"remembered-{i}", last - 1, out _));
        }
        Assert.False(lastWrites.TryGetOrdering("never-written", 1, out _));
    }

    [Fact]
    public async Task A_duplicate_fails_only_its_own_write_and_its_neighbours_in_the_batch_commit()
    {
        using var journal = Harness();
        await WarmUpAsync(journal);
        Assert.Equal(EventOutcome.Stored, (await journal.WriteAsync(Events.Write("taken", 1, 2)))[0].Outcome);
        Assert.Equal(EventOutcome.Stored, (await journal.WriteAsync(Events.Write("taken-too", 1, 2)))[0].Outcome);

        var requests = new List<(string Name, TestProbe Probe, AtomicWrite[] Writes)>();
        await using (await _db.HoldWritesAsync())
        {
            void Send(string name, params AtomicWrite[] writes)
            {
                var probe = journal.CreateProbe();
                journal.Send(probe, writes);
                requests.Add((name, probe, writes));
            }
            Send("before", Events.Write("before", 1));
            Send("single duplicate", Events.Write("taken", 2));
            Send("between", Events.Write("between", 1, 3));
            Send("atomic duplicate", Events.Write("taken-too", 2, 3)); // 2 is taken, 3 and 4 are not: none is stored
            Send("after", Events.Write("after", 1), Events.Write("after", 2));
            await journal.JournalHasTakenEarlierMessagesAsync();
        }

        foreach (var (name, probe, writes) in requests)
        {
            var outcomes = await JournalHarness.ExpectOutcomesAsync(probe, writes);
            var expected = name.Contains("duplicate") ? EventOutcome.Failed : EventOutcome.Stored;
            Assert.All(outcomes, o => Assert.Equal(expected, o.Outcome));
            if (expected == EventOutcome.Failed) Assert.All(outcomes, o => Assert.IsType<DuplicateSequenceNumberException>(o.Cause));
        }
        Assert.Equal(new long[] { 1, 2 }, (await journal.ReplayAsync("taken")).Events.Select(e => e.SequenceNr).ToArray());
        Assert.Equal(new long[] { 1, 2 }, (await journal.ReplayAsync("taken-too")).Events.Select(e => e.SequenceNr).ToArray());
        Assert.Equal(3, (await journal.ReplayAsync("between")).Events.Count);
        Assert.Equal(2, (await journal.ReplayAsync("after")).Events.Count);
        Assert.Single((await journal.ReplayAsync("before")).Events);
    }

    [Fact]
    public async Task A_write_after_a_failed_write_of_the_same_actor_in_one_request_is_not_stored()
    {
        using var journal = Harness();
        await WarmUpAsync(journal);
        await journal.WriteAsync(Events.Write("gap", 2));

        var outcomes = await journal.WriteAsync(Events.Write("gap", 1), Events.Write("gap", 2), Events.Write("gap", 3));

        // The request fails as a whole (Akka's contract), and 3 is not stored behind the failed 2: no gap, no reordering.
        Assert.All(outcomes, o => Assert.Equal(EventOutcome.Failed, o.Outcome));
        Assert.Equal(2, await _db.ScalarAsync("SELECT max(sequence_number) FROM journal WHERE persistence_id = 'gap'"));
    }

    [Fact]
    public async Task A_full_write_buffer_fails_new_writes_at_once_and_stores_the_accepted_ones()
    {
        using var journal = Harness("akka.persistence.journal.group-commit.max-buffered-writes = 4");
        await WarmUpAsync(journal);

        var accepted = new List<(TestProbe, AtomicWrite[])>();
        var overflow = journal.CreateProbe();
        var overflowWrites = new[] { Events.Write("overflow", 1) };
        await using (await _db.HoldWritesAsync())
        {
            for (var i = 0; i < 4; i++)
            {
                var probe = journal.CreateProbe();
                var writes = new[] { Events.Write($"buffered-{i}", 1) };
                journal.Send(probe, writes);
                accepted.Add((probe, writes));
            }
            // The buffer is full while the database is held: the fifth write is failed without being attempted. (Akka's
            // AsyncWriteJournal answers write requests in their order, so its answer arrives after the others'.)
            journal.Send(overflow, overflowWrites);
            await journal.JournalHasTakenEarlierMessagesAsync();
        }

        foreach (var (probe, writes) in accepted)
            Assert.All(await JournalHarness.ExpectOutcomesAsync(probe, writes), o => Assert.True(o.Outcome == EventOutcome.Stored, $"{o.Outcome}: {o.Cause}"));
        var (outcome, cause) = Assert.Single(await JournalHarness.ExpectOutcomesAsync(overflow, overflowWrites));
        Assert.Equal(EventOutcome.Failed, outcome);
        Assert.IsType<JournalBufferFullException>(cause);
        Assert.Equal(0, await _db.ScalarAsync("SELECT count(*) FROM journal WHERE persistence_id = 'overflow'"));
        // Room again once the writes are done.
        Assert.Equal(EventOutcome.Stored, (await journal.WriteAsync(Events.Write("overflow", 1)))[0].Outcome);
    }
}

public sealed class GroupCommitOnSqliteSpecs(ITestOutputHelper output) : GroupCommitSpecs(output)
{
    protected override JournalProvider Provider => JournalProvider.Sqlite;
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult<TestDatabase>(new SqliteTestDatabase());
}

[Collection(PostgresCollection.Name)]
public sealed class GroupCommitOnPostgresSpecs(PostgresServer server, ITestOutputHelper output) : GroupCommitSpecs(output)
{
    protected override JournalProvider Provider => JournalProvider.Postgres;
    protected override async Task<TestDatabase> CreateDatabaseAsync() => await PostgresTestDatabase.CreateAsync(server);
}

/// <summary>The same on PostgreSQL with every batch written by binary COPY (the path big batches take).</summary>
[Collection(PostgresCollection.Name)]
public sealed class GroupCommitOnPostgresByCopySpecs(PostgresServer server, ITestOutputHelper output) : GroupCommitSpecs(output)
{
    protected override JournalProvider Provider => JournalProvider.Postgres;
    protected override string WriterConfig => "akka.persistence.journal.group-commit.postgres.copy-threshold = 1";
    protected override async Task<TestDatabase> CreateDatabaseAsync() => await PostgresTestDatabase.CreateAsync(server);
}
