using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Bank.Domain;

namespace Bank.Actors.Accounts;

/// <summary>One stored event of an account, with where and when the journal stored it.</summary>
/// <param name="Version">The event's sequence number.</param>
/// <param name="Type">The stable stored type name (manifest).</param>
/// <param name="Ordering">The event's global journal position.</param>
public sealed record AccountEventRecord(long Version, AccountEvent Event, string Type, DateTimeOffset StoredAt, long Ordering);

/// <summary>Reads an account's past from the journal through the read journal: its events, and its state at a version or a time.</summary>
public sealed class AccountHistory(ICurrentEventsByPersistenceIdQuery readJournal, IMaterializer materializer, int idempotencyWindow)
{
    public async Task<IReadOnlyList<AccountEventRecord>> EventsAsync(string accountId, long fromVersion, int limit, CancellationToken cancellationToken = default)
    {
        if (limit <= 0) return [];
        var from = Math.Max(1, fromVersion);
        var envelopes = await ReadAsync(accountId, from, from + limit - 1, cancellationToken).ConfigureAwait(false);
        return envelopes
            .Where(envelope => envelope.Event is AccountEvent)
            .Select(envelope => new AccountEventRecord(
                envelope.SequenceNr,
                (AccountEvent)envelope.Event,
                Serialization.BankManifests.ByType[envelope.Event.GetType()],
                new DateTimeOffset(envelope.Timestamp, TimeSpan.Zero),
                envelope.Offset is Sequence sequence ? sequence.Value : 0))
            .ToList();
    }

    /// <summary>The state after the first <paramref name="version"/> events; null if the account had no events.</summary>
    public async Task<AccountState?> StateAtVersionAsync(string accountId, long version, CancellationToken cancellationToken = default) =>
        version <= 0 ? null : Fold(accountId, await ReadAsync(accountId, 1, version, cancellationToken).ConfigureAwait(false), _ => true);

    /// <summary>The state with every event that happened at or before <paramref name="asOf"/>; null if none had.</summary>
    public async Task<AccountState?> StateAsOfAsync(string accountId, DateTimeOffset asOf, CancellationToken cancellationToken = default) =>
        Fold(accountId, await ReadAsync(accountId, 1, long.MaxValue, cancellationToken).ConfigureAwait(false), e => e.At <= asOf);

    private AccountState? Fold(string accountId, IEnumerable<EventEnvelope> envelopes, Func<AccountEvent, bool> include)
    {
        var events = envelopes.Select(envelope => envelope.Event).OfType<AccountEvent>().TakeWhile(include);
        var state = AccountDecider.Fold(AccountState.Initial(accountId, idempotencyWindow), events);
        return state.Version == 0 ? null : state;
    }

    private async Task<IReadOnlyList<EventEnvelope>> ReadAsync(string accountId, long from, long to, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (killSwitch, done) = readJournal.CurrentEventsByPersistenceId(accountId, from, to)
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .ToMaterialized(Sink.Seq<EventEnvelope>(), Keep.Both)
            .Run(materializer);
        await using var _ = cancellationToken.Register(() => killSwitch.Abort(new OperationCanceledException(cancellationToken)));
        return await done.ConfigureAwait(false);
    }
}
