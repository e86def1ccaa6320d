using System.Text.Json.Serialization;

namespace Bank.Domain;

public enum AccountStatus
{
    NotOpened,
    Open,
    Closed,
}

/// <summary>
/// The write-side state of one account, built only by <see cref="AccountDecider.Evolve"/> from events (or restored
/// from a snapshot of itself). <see cref="Version"/> is the number of events applied. <see cref="Owner"/>,
/// <see cref="Currency"/>, <see cref="OpenedAt"/> and <see cref="LastActivityAt"/> are null until the account is opened.
/// Equality is by value, including the idempotency window (which compares its entries).
/// </summary>
public sealed record AccountState(
    string AccountId,
    string? Owner,
    string? Currency,
    decimal Balance,
    AccountStatus Status,
    long Version,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? LastActivityAt,
    IdempotencyWindow ProcessedCommands)
{
    /// <summary>The transfers this account debited, credited or refunded: never forgotten, unlike <see cref="ProcessedCommands"/>.</summary>
    [JsonIgnore]
    public TransferLedger Transfers { get; init; } = TransferLedger.Empty;

    // The ledger in the state's plain JSON, absent when empty: a state that never took part in a transfer keeps the JSON
    // shape it had before transfers existed, and that shape still loads (with an empty ledger).
    [JsonInclude, JsonPropertyName("Transfers"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private IReadOnlyList<TransferLedgerEntry>? TransfersJson
    {
        get => Transfers.Count == 0 ? null : Transfers.Entries.Select(e => new TransferLedgerEntry(e.Key, e.Value)).ToList();
        init => Transfers = value is null ? TransferLedger.Empty : TransferLedger.Of(value.Select(e => KeyValuePair.Create(e.TransferId, e.Steps)));
    }

    /// <summary>
    /// The state of an account before any event. The account id is not validated here (Decide refuses an
    /// OpenAccount with an invalid id), so an actor can be started for any id it is asked about.
    /// </summary>
    public static AccountState Initial(string accountId, int idempotencyWindow = IdempotencyWindow.DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        return new AccountState(
            accountId,
            Owner: null,
            Currency: null,
            Balance: 0m,
            AccountStatus.NotOpened,
            Version: 0,
            OpenedAt: null,
            LastActivityAt: null,
            IdempotencyWindow.Empty(idempotencyWindow));
    }
}
