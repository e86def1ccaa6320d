using System.Globalization;
using Actors.Core;
using Actors.Core.Logging;
using Actors.Persistence.Journal;
using Actors.Persistence.Snapshots;
using Bank.Actors;
using Bank.Domain;
using PersistenceExtension = Actors.Persistence.Persistence;

namespace Actors.Benchmarks.Persistence;

/// <summary>An actor system with persistence on the given stores and the bank's account region, as the host builds it.</summary>
internal sealed class BankNode : IAsyncDisposable
{
    private BankNode(ActorSystem system, IActorRef region)
    {
        System = system;
        Region = region;
    }

    public ActorSystem System { get; }
    public IActorRef Region { get; }

    public static BankNode Start(BenchStores stores, AccountSettings settings, string name = "bench")
    {
        var system = ActorSystem.Create(name, new ActorSystemSettings { LogSink = new ConsoleLogSink(ActorLogLevel.Warning) });
        PersistenceExtension.Register(system, stores.Journal, stores.Snapshots);
        var region = system.ActorOf(AccountRegion.Props(settings), AccountRegion.Name);
        return new BankNode(system, region);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await System.Terminate().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine($"warning: {System} did not terminate within 60 s.");
        }
    }
}

/// <summary>
/// The sender of the benchmark's commands: counts the replies (not an actor, so counting costs no scheduling) and
/// completes when all expected replies arrived. Keeps nothing of what it receives.
/// </summary>
internal sealed class ReplyCounter : IActorRef
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _expected;
    private int _remaining;
    private int _accepted;
    private int _rejected;
    private int _states;
    private int _failures;
    private int _other;
    private Exception? _firstFailure;

    public ReplyCounter(int expected)
    {
        _expected = expected;
        _remaining = expected;
    }

    public ActorPath Path { get; } = ActorPath.Root("bench").Child("replies");

    public int Accepted => Volatile.Read(ref _accepted);
    public int Rejected => Volatile.Read(ref _rejected);
    public int States => Volatile.Read(ref _states);
    public int Failures => Volatile.Read(ref _failures);

    public void Tell(object message, IActorRef? sender)
    {
        switch (message)
        {
            case AccountReply.Accepted:
                Interlocked.Increment(ref _accepted);
                break;
            case AccountReply.Rejected:
                Interlocked.Increment(ref _rejected);
                break;
            case AccountState:
                Interlocked.Increment(ref _states);
                break;
            case Status.Failure failure:
                Interlocked.CompareExchange(ref _firstFailure, failure.Cause, null);
                Interlocked.Increment(ref _failures);
                break;
            default:
                Interlocked.Increment(ref _other);
                break;
        }
        if (Interlocked.Decrement(ref _remaining) == 0) _done.TrySetResult();
    }

    /// <summary>Waits for every reply; a timeout says how many are missing instead of hanging.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken, string what)
    {
        try
        {
            await _done.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what}: {Volatile.Read(ref _remaining):N0} of {_expected:N0} replies missing after {timeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>Throws unless every reply was of the expected kind.</summary>
    public void EnsureAll(Func<ReplyCounter, int> count, string what)
    {
        if (count(this) == _expected) return;
        throw new InvalidOperationException(
            $"{what}: {count(this):N0} of {_expected:N0} as expected; accepted {Accepted:N0}, rejected {Rejected:N0}, states {States:N0}, "
            + $"failures {Failures:N0}, other {Volatile.Read(ref _other):N0}. First failure: {_firstFailure?.Message ?? "none"}");
    }
}

/// <summary>Account ids and the event histories the benchmarks store directly in a journal (exactly what the account actor writes).</summary>
internal static class AccountData
{
    public const string Owner = "Benchmark Owner";
    public const string Currency = "EUR";

    public static string Id(int i) => "acc-" + i.ToString("D6", CultureInfo.InvariantCulture);

    private static readonly IReadOnlyList<string> Tags = [BankEventTypes.AccountTag];

    /// <summary>The events of an account opened and then given <paramref name="count"/> - 1 deposits of 1.25.</summary>
    public static IEnumerable<AccountEvent> History(string accountId, int count, DateTimeOffset start)
    {
        if (count <= 0) yield break;
        yield return new AccountOpened(accountId, Owner, Currency, Guid.NewGuid(), start);
        var balance = 0m;
        for (var i = 1; i < count; i++)
        {
            balance += 1.25m;
            yield return new MoneyDeposited(accountId, 1.25m, balance, Guid.NewGuid(), start.AddMilliseconds(i));
        }
    }

    /// <summary>Stores events as the account actor persists them: one atomic write per event, tagged, in calls of up to 1,000 writes.</summary>
    public static async Task WriteAsync(IJournal journal, IEnumerable<(string PersistenceId, long SequenceNr, AccountEvent Event)> events, CancellationToken cancellationToken)
    {
        var chunk = new List<AtomicWrite>(1000);
        foreach (var (persistenceId, sequenceNr, @event) in events)
        {
            chunk.Add(new AtomicWrite(new PersistentRepr(persistenceId, sequenceNr, @event, "bench", @event.At, Tags)));
            if (chunk.Count == 1000) await FlushAsync();
        }
        if (chunk.Count > 0) await FlushAsync();

        async Task FlushAsync()
        {
            var results = await journal.WriteAsync(chunk, cancellationToken);
            var failed = results.FirstOrDefault(r => r is not WriteResult.Stored);
            if (failed is not null) throw new InvalidOperationException($"Populating the journal failed: {failed}");
            chunk.Clear();
        }
    }

    /// <summary>Stores one account's history, and a snapshot of its state after <paramref name="snapshotAt"/> events if positive.</summary>
    public static async Task WriteAccountAsync(BenchStores stores, string accountId, int events, int snapshotAt, int idempotencyWindow, CancellationToken cancellationToken)
    {
        var history = History(accountId, events, DateTimeOffset.UtcNow.AddDays(-1)).ToList();
        await WriteAsync(stores.Journal, history.Select((e, i) => (accountId, (long)i + 1, e)), cancellationToken);
        if (snapshotAt <= 0) return;
        var state = AccountDecider.Fold(AccountState.Initial(accountId, idempotencyWindow), history.Take(snapshotAt));
        await stores.Snapshots.SaveAsync(new SnapshotMetadata(accountId, snapshotAt, DateTimeOffset.UtcNow), state, cancellationToken);
    }
}

internal static class Heap
{
    /// <summary>Live bytes after full blocking compacting collections (finalizers run in between).</summary>
    public static long LiveBytes()
    {
        Shared.Measure.FullCollect(times: 3);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>
    /// <see cref="LiveBytes"/> once two measurements 100 ms apart agree within 0.2 % (at most 10 tries): a heap still
    /// moving (a late turn, a continuation, a timer) is measured again instead of giving a figure off by its garbage.
    /// </summary>
    public static async Task<long> StableLiveBytesAsync(CancellationToken cancellationToken)
    {
        var previous = LiveBytes();
        for (var i = 0; i < 10; i++)
        {
            await Task.Delay(100, cancellationToken);
            var current = LiveBytes();
            if (Math.Abs(current - previous) <= previous / 500) return current;
            previous = current;
        }
        return previous;
    }
}
