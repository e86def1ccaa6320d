using System.ComponentModel;
using Bank.Domain;
using Bank.ReadModels;

namespace Bank.Host.Http;

/// <summary>An account as the read model has it (as of the projection's offset).</summary>
public sealed record AccountSummaryResponse(
    string AccountId, string Owner, string Currency, decimal Balance, AccountStatus Status, long Version,
    DateTimeOffset OpenedAt, DateTimeOffset LastActivityAt)
{
    public static AccountSummaryResponse From(AccountSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new AccountSummaryResponse(summary.AccountId, summary.Owner, summary.Currency, summary.Balance, summary.Status, summary.Version,
            summary.OpenedAt, summary.LastActivityAt);
    }
}

/// <summary>A page of accounts, by account id.</summary>
/// <param name="NextOffset">Pass as <c>offset</c> for the next page; null when this is the last one.</param>
public sealed record AccountListResponse(IReadOnlyList<AccountSummaryResponse> Accounts, int Offset, int Limit, int? NextOffset);

/// <summary>A deposit, a withdrawal or a transfer's step on the account, with the balance right after it.</summary>
public sealed record TransactionResponse
{
    [Description("The account's version the transaction produced.")]
    public required long Version { get; init; }

    public required TransactionKind Kind { get; init; }

    public required decimal Amount { get; init; }

    public required decimal BalanceAfter { get; init; }

    [Description("When it happened (the time of the command).")]
    public required DateTimeOffset OccurredAt { get; init; }

    [Description("The event's global journal offset.")]
    public required long Offset { get; init; }

    [Description("The transfer of a transferOut, transferIn or transferRefund; absent for a deposit or withdrawal.")]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Guid? TransferId { get; init; }

    [Description("The account on the other side of the transfer.")]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Counterparty { get; init; }

    public static TransactionResponse From(AccountTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return new TransactionResponse
        {
            Version = transaction.Version,
            Kind = transaction.Kind,
            Amount = transaction.Amount,
            BalanceAfter = transaction.BalanceAfter,
            OccurredAt = transaction.OccurredAt,
            Offset = transaction.Offset,
            TransferId = transaction.TransferId,
            Counterparty = transaction.Counterparty,
        };
    }
}

/// <summary>A page of an account's deposits and withdrawals, oldest first.</summary>
/// <param name="NextOffset">Pass as <c>offset</c> for the next page; null when this is the last one.</param>
public sealed record TransactionListResponse(string AccountId, IReadOnlyList<TransactionResponse> Transactions, int Offset, int Limit, int? NextOffset);

/// <summary>
/// The bank's totals: account counts over every account, and the money of each currency on its own (amounts of
/// different currencies are never added together).
/// </summary>
public sealed record BankStatsResponse
{
    [Description("Open accounts, of every currency.")]
    public required long AccountsOpen { get; init; }

    [Description("Closed accounts, of every currency.")]
    public required long AccountsClosed { get; init; }

    [Description("One entry for every currency that has had an account, ordered by currency code.")]
    public required IReadOnlyList<CurrencyStatsResponse> Currencies { get; init; }

    public static BankStatsResponse From(BankTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return new BankStatsResponse
        {
            AccountsOpen = totals.AccountsOpen,
            AccountsClosed = totals.AccountsClosed,
            Currencies = totals.Currencies.Select(CurrencyStatsResponse.From).ToArray(),
        };
    }
}

/// <summary>The accounts of one currency and their money, in that currency.</summary>
public sealed record CurrencyStatsResponse
{
    [Description("ISO 4217 code: three uppercase letters.")]
    public required string Currency { get; init; }

    public required long AccountsOpen { get; init; }

    public required long AccountsClosed { get; init; }

    [Description("The balances of this currency's accounts, added up.")]
    public required decimal TotalBalance { get; init; }

    [Description("Every deposit (initial deposits included) into this currency's accounts.")]
    public required decimal TotalDeposited { get; init; }

    [Description("Every withdrawal from this currency's accounts.")]
    public required decimal TotalWithdrawn { get; init; }

    [Description("Money taken from transfers' sources and not yet credited to their targets or refunded. Transfers never change totalBalance + moneyInFlight.")]
    public required decimal MoneyInFlight { get; init; }

    public static CurrencyStatsResponse From(CurrencyTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return new CurrencyStatsResponse
        {
            Currency = totals.Currency,
            AccountsOpen = totals.AccountsOpen,
            AccountsClosed = totals.AccountsClosed,
            TotalBalance = totals.TotalBalance,
            TotalDeposited = totals.TotalDeposited,
            TotalWithdrawn = totals.TotalWithdrawn,
            MoneyInFlight = totals.MoneyInFlight,
        };
    }
}
