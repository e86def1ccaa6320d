using Bank.Domain;

namespace Bank.Actors.Serialization;

/// <summary>
/// The stored shape of an <see cref="AccountState"/> (manifest <see cref="BankManifests.AccountState"/>): the state's
/// fields plus its idempotency window as a list, oldest first, so that retries are still recognised after recovery
/// from a snapshot, and (since v3) its transfer ledger, so that a transfer's step is never applied twice.
/// </summary>
internal sealed record AccountSnapshot(
    string AccountId,
    string? Owner,
    string? Currency,
    decimal Balance,
    AccountStatus Status,
    long Version,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? LastActivityAt,
    int WindowCapacity,
    IReadOnlyList<ProcessedCommand> RecentCommands,
    IReadOnlyList<TransferLedgerEntry> Transfers)
{
    public static AccountSnapshot Of(AccountState state) => new(
        state.AccountId, state.Owner, state.Currency, state.Balance, state.Status, state.Version, state.OpenedAt, state.LastActivityAt,
        state.ProcessedCommands.Capacity, state.ProcessedCommands.Entries,
        [.. state.Transfers.Entries.Select(e => new TransferLedgerEntry(e.Key, e.Value))]);

    public AccountState ToState() => new(
        AccountId, Owner, Currency, Balance, Status, Version, OpenedAt, LastActivityAt, new IdempotencyWindow(WindowCapacity, RecentCommands))
    {
        Transfers = TransferLedger.Of(Transfers.Select(e => KeyValuePair.Create(e.TransferId, e.Steps))),
    };
}
