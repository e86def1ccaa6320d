using System.Runtime.CompilerServices;
using Actors.Persistence.Journal;
using Bank.Domain;

namespace Bank.Actors;

public sealed record AccountEventRecord(long Version, AccountEvent Event, string Type, DateTimeOffset StoredAt, long Ordering);

/// <summary>Reads an account's past straight from the journal: its events, and its state at a version or a time.</summary>
public sealed class AccountHistory(IJournal journal, int idempotencyWindow = 1000)
{
    public async IAsyncEnumerable<AccountEventRecord> EventsAsync(string accountId, long fromVersion, int limit,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (limit <= 0) yield break;
        await foreach (var repr in journal.ReplayAsync(accountId, Math.Max(1, fromVersion), long.MaxValue, limit, cancellationToken).ConfigureAwait(false))
        {
            if (repr.Payload is AccountEvent @event)
                yield return new AccountEventRecord(repr.SequenceNr, @event, repr.Manifest, repr.Timestamp, repr.Ordering);
        }
    }

    /// <summary>The state after the first <paramref name="version"/> events; null if the account had no events.</summary>
    public Task<AccountState?> StateAtVersionAsync(string accountId, long version, CancellationToken cancellationToken = default) =>
        FoldAsync(accountId, version, _ => true, cancellationToken);

    /// <summary>The state with every event that happened at or before <paramref name="asOf"/>; null if none had.</summary>
    public Task<AccountState?> StateAsOfAsync(string accountId, DateTimeOffset asOf, CancellationToken cancellationToken = default) =>
        FoldAsync(accountId, long.MaxValue, e => e.At <= asOf, cancellationToken);

    private async Task<AccountState?> FoldAsync(string accountId, long toVersion, Func<AccountEvent, bool> include, CancellationToken cancellationToken)
    {
        if (toVersion <= 0) return null;
        var state = AccountState.Initial(accountId, idempotencyWindow);
        await foreach (var repr in journal.ReplayAsync(accountId, 1, toVersion, long.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            if (repr.Payload is not AccountEvent @event || !include(@event)) break;
            state = AccountDecider.Evolve(state, @event);
        }
        return state.Version == 0 ? null : state;
    }
}
