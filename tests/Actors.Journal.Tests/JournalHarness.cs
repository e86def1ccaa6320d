using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.TestKit;
using Xunit.Abstractions;
using TestKit = Akka.TestKit.Xunit2.TestKit;

namespace Actors.Journal.Tests;

/// <summary>What the journal answered for one event of a WriteMessages request.</summary>
public enum EventOutcome
{
    Stored,
    Rejected,
    Failed,
}

/// <summary>An actor system with one journal plugin on one test database, talked to through Akka's journal protocol.</summary>
public sealed class JournalHarness : IDisposable
{
    private readonly TestKit _kit;
    private static int _instance;

    public JournalHarness(TestDatabase db, Writer writer, ITestOutputHelper? output = null, string extra = "")
    {
        Writer = writer;
        Db = db;
        _kit = new TestKit(db.JournalConfig(writer, "akka.test.single-expect-default = 15s\n" + extra), $"journal-{writer}-{Interlocked.Increment(ref _instance)}", output);
        Journal = Persistence.Instance.Apply(_kit.Sys).JournalFor(Configs.PluginId(writer));
    }

    public Writer Writer { get; }
    public TestDatabase Db { get; }
    public ActorSystem Sys => _kit.Sys;
    public IActorRef Journal { get; }
    public TestKit Kit => _kit;

    public TestProbe CreateProbe() => _kit.CreateTestProbe();

    /// <summary>Sends the writes in one WriteMessages request and returns each event's outcome, with the causes.</summary>
    public async Task<List<(EventOutcome Outcome, Exception? Cause)>> WriteAsync(params AtomicWrite[] writes)
    {
        var probe = CreateProbe();
        Send(probe, writes);
        return await ExpectOutcomesAsync(probe, writes);
    }

    public void Send(TestProbe probe, params AtomicWrite[] writes) =>
        Journal.Tell(new WriteMessages(writes, probe.Ref, actorInstanceId: 1), probe.Ref);

    public static async Task<List<(EventOutcome Outcome, Exception? Cause)>> ExpectOutcomesAsync(TestProbe probe, AtomicWrite[] writes)
    {
        var first = await probe.ExpectMsgAsync<object>();
        Assert.True(first is WriteMessagesSuccessful or WriteMessagesFailed, $"Expected the batch answer first, got {first}");
        var outcomes = new List<(EventOutcome, Exception?)>();
        var events = writes.Sum(w => ((IImmutableList<IPersistentRepresentation>)w.Payload).Count);
        for (var i = 0; i < events; i++)
        {
            var reply = await probe.ExpectMsgAsync<object>();
            outcomes.Add(reply switch
            {
                WriteMessageSuccess => (EventOutcome.Stored, null),
                WriteMessageRejected r => (EventOutcome.Rejected, r.Cause),
                WriteMessageFailure f => (EventOutcome.Failed, f.Cause),
                _ => throw new Xunit.Sdk.XunitException($"Unexpected reply {reply}"),
            });
        }
        return outcomes;
    }

    /// <summary>Replays like a recovering actor: the events, then the highest sequence number.</summary>
    public async Task<(List<IPersistentRepresentation> Events, long Highest)> ReplayAsync(
        string persistenceId, long from = 1, long to = long.MaxValue, long max = long.MaxValue)
    {
        var probe = CreateProbe();
        Journal.Tell(new ReplayMessages(from, to, max, persistenceId, probe.Ref), probe.Ref);
        var events = new List<IPersistentRepresentation>();
        while (true)
        {
            var reply = await probe.ExpectMsgAsync<object>();
            switch (reply)
            {
                case ReplayedMessage replayed:
                    events.Add(replayed.Persistent);
                    continue;
                case RecoverySuccess success:
                    return (events, success.HighestSequenceNr);
                case ReplayMessagesFailure failure:
                    throw new Xunit.Sdk.XunitException($"Replay failed: {failure.Cause}");
                default:
                    throw new Xunit.Sdk.XunitException($"Unexpected reply {reply}");
            }
        }
    }

    public async Task DeleteAsync(string persistenceId, long toSequenceNr)
    {
        var probe = CreateProbe();
        Journal.Tell(new DeleteMessagesTo(persistenceId, toSequenceNr, probe.Ref), probe.Ref);
        var reply = await probe.ExpectMsgAsync<object>();
        Assert.True(reply is DeleteMessagesSuccess, $"Delete failed: {reply}");
    }

    /// <summary>
    /// Returns once the journal actor has handled every message sent to it before (its mailbox is FIFO): a replay of an
    /// unknown persistence id, which only reads.
    /// </summary>
    public async Task JournalHasTakenEarlierMessagesAsync()
    {
        var (events, _) = await ReplayAsync("nobody-" + Guid.NewGuid().ToString("N"));
        Assert.Empty(events);
    }

    public void Dispose() => _kit.Dispose();
}
