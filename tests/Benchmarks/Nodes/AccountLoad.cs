using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence;
using Bank.Actors.Accounts;
using Bank.Domain;

namespace Actors.Benchmarks.Nodes;

/// <summary>The accounts the benchmarks use, and their histories as the account actor would have written them.</summary>
public static class AccountData
{
    public const string Owner = "Benchmark Owner";
    public const string Currency = "EUR";

    public static string Id(int i) => "acc-" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>AccountOpened, then deposits of 1.00 (balance 1, 2, 3 ...): <paramref name="count"/> events in all.</summary>
    public static IEnumerable<AccountEvent> History(string accountId, int count, DateTimeOffset at)
    {
        if (count <= 0) yield break;
        yield return new AccountOpened(accountId, Owner, Currency, Guid.NewGuid(), at);
        for (var i = 1; i < count; i++) yield return new MoneyDeposited(accountId, 1m, i, Guid.NewGuid(), at.AddMilliseconds(i));
    }
}

/// <summary>
/// Keeps <c>inFlight</c> operations going (each worker starts the next as soon as its last one completes) until
/// <c>total</c> are done or the deadline passes; operation i is given its index. The Akka equivalent of "1,000 asks in
/// flight": with round-robin indexes over 1,000 accounts, every account has about one command in flight at a time.
/// </summary>
public static class InFlight
{
    public sealed record Outcome(int Started, int Succeeded, int Failed, string? FirstFailure, TimeSpan Elapsed, bool Capped);

    public static async Task<Outcome> RunAsync(int total, int inFlight, Func<int, Task<string?>> operation, TimeSpan maxDuration, CancellationToken cancellationToken)
    {
        var next = -1;
        var succeeded = 0;
        var failed = 0;
        string? firstFailure = null;
        var capped = false;
        var deadline = Stopwatch.GetTimestamp() + (long)(maxDuration.TotalSeconds * Stopwatch.Frequency);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Math.Max(1, Math.Min(inFlight, total))).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    capped = true;
                    return;
                }
                var i = Interlocked.Increment(ref next);
                if (i >= total) return;
                string? failure;
                try
                {
                    failure = await operation(i).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failure = $"{e.GetType().Name}: {e.Message}";
                }
                if (failure is null) Interlocked.Increment(ref succeeded);
                else
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstFailure, failure, null);
                }
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        clock.Stop();
        return new Outcome(Math.Min(total, next + 1), succeeded, failed, firstFailure, clock.Elapsed, capped);
    }

    /// <summary>Throws when any operation failed, naming the first failure.</summary>
    public static Outcome EnsureSucceeded(this Outcome outcome, string what)
    {
        if (outcome.Failed > 0) throw new InvalidOperationException($"{what}: {outcome.Failed:N0} of {outcome.Started:N0} failed; first: {outcome.FirstFailure}");
        return outcome;
    }
}

public static class AccountAsks
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Null when the account accepted the command, else what it answered.</summary>
    public static async Task<string?> CommandAsync(IActorRef region, AccountCommand command)
    {
        var reply = await region.Ask<AccountReply>(command, Timeout).ConfigureAwait(false);
        return reply is AccountReply.Accepted { WasDuplicate: false } ? null : reply.ToString();
    }

    /// <summary>Opens accounts 0 .. count-1 (by <paramref name="id"/>) with an initial deposit, <paramref name="inFlight"/> at a time.</summary>
    public static async Task OpenAsync(IActorRef region, int count, Func<int, string> id, decimal initialDeposit, int inFlight, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        (await InFlight.RunAsync(count, inFlight,
                i => CommandAsync(region, new OpenAccount(id(i), AccountData.Owner, AccountData.Currency, initialDeposit, Guid.NewGuid(), now)),
                TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false))
            .EnsureSucceeded("opening the accounts");
    }
}

/// <summary>
/// Writes events straight into the node's journal (and snapshots into its snapshot store), through the journal plugin
/// itself, so they are stored exactly as that configuration stores them (its serializer, its tables), many accounts per
/// journal call: far faster than persisting them one command at a time. Every event is tagged as the account actor tags it.
/// </summary>
public sealed class JournalSeeder : ReceiveActor
{

    internal sealed record Write(IReadOnlyList<AtomicWrite> Writes, int Events);

    private IActorRef _replyTo = ActorRefs.Nobody;
    private int _pending;
    private string? _failure;

    public JournalSeeder(IActorRef journal)
    {
        Receive<Write>(write =>
        {
            _replyTo = Sender;
            _pending = write.Events;
            _failure = null;
            journal.Tell(new WriteMessages(write.Writes, Self, actorInstanceId: 1));
        });
        Receive<WriteMessagesSuccessful>(_ => { });
        Receive<WriteMessagesFailed>(failed => _failure ??= $"{failed.Cause.GetType().Name}: {failed.Cause.Message}");
        Receive<WriteMessageSuccess>(_ => Done());
        Receive<WriteMessageFailure>(failed =>
        {
            _failure ??= $"{failed.Cause.GetType().Name}: {failed.Cause.Message}";
            Done();
        });
        Receive<WriteMessageRejected>(rejected =>
        {
            _failure ??= $"rejected: {rejected.Cause.GetType().Name}: {rejected.Cause.Message}";
            Done();
        });
    }

    private void Done()
    {
        if (--_pending > 0) return;
        _replyTo.Tell(_failure is null ? (object)Written.Instance : new Status.Failure(new InvalidOperationException("Seeding the journal failed: " + _failure)));
    }

    internal sealed class Written
    {
        public static readonly Written Instance = new();
    }
}

/// <summary>Seeds a node's journal and snapshot store through their plugins (see <see cref="JournalSeeder"/>).</summary>
public static class JournalSeeding
{
    private static readonly ImmutableHashSet<string> Tags = [AccountActor.Tag];

    /// <summary>
    /// Writes each account's events (sequence numbers from 1) as atomic writes of at most <paramref name="eventsPerWrite"/>
    /// events, about <paramref name="eventsPerCall"/> events per journal call, one call at a time.
    /// </summary>
    public static async Task WriteAsync(ActorSystem system, IEnumerable<(string AccountId, IReadOnlyList<AccountEvent> Events)> accounts,
        CancellationToken cancellationToken, int eventsPerWrite = 1_000, int eventsPerCall = 5_000)
    {
        var journal = global::Akka.Persistence.Persistence.Instance.Apply(system).JournalFor(null);
        var seeder = system.ActorOf(Props.Create(() => new JournalSeeder(journal)), $"journal-seeder-{Guid.NewGuid():N}");
        try
        {
            var writer = Guid.NewGuid().ToString();
            var batch = new List<AtomicWrite>();
            var events = 0;
            foreach (var (accountId, history) in accounts)
            {
                for (var from = 0; from < history.Count; from += eventsPerWrite)
                {
                    var part = history.Skip(from).Take(eventsPerWrite)
                        .Select((e, i) => (IPersistentRepresentation)new Persistent(new global::Akka.Persistence.Journal.Tagged(e, Tags), from + i + 1, accountId,
                            string.Empty, false, ActorRefs.NoSender, writer, DateTime.UtcNow.Ticks))
                        .ToImmutableList();
                    batch.Add(new AtomicWrite(part));
                    events += part.Count;
                    if (events >= eventsPerCall) await FlushAsync();
                }
            }
            if (events > 0) await FlushAsync();

            async Task FlushAsync()
            {
                cancellationToken.ThrowIfCancellationRequested();
                await seeder.Ask<JournalSeeder.Written>(new JournalSeeder.Write(batch.ToList(), events), TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
                batch.Clear();
                events = 0;
            }
        }
        finally
        {
            system.Stop(seeder);
        }
    }

    /// <summary>Saves <paramref name="snapshot"/> as the snapshot of <paramref name="accountId"/> at <paramref name="sequenceNr"/>.</summary>
    public static async Task SaveSnapshotAsync(ActorSystem system, string accountId, long sequenceNr, object snapshot, CancellationToken cancellationToken)
    {
        var store = global::Akka.Persistence.Persistence.Instance.Apply(system).SnapshotStoreFor(null);
        var reply = await store.Ask<object>(new SaveSnapshot(new SnapshotMetadata(accountId, sequenceNr, DateTime.UtcNow), snapshot),
            TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
        if (reply is not SaveSnapshotSuccess)
            throw new InvalidOperationException($"Saving the snapshot of {accountId} failed: {(reply as SaveSnapshotFailure)?.Cause.Message ?? reply.ToString()}");
    }
}
