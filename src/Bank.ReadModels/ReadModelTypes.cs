using Bank.Domain;

namespace Bank.ReadModels;

/// <summary>One row of <c>account_summary</c>: an account as of the projection's offset.</summary>
public sealed record AccountSummary(
    string AccountId,
    string Owner,
    string Currency,
    decimal Balance,
    AccountStatus Status,
    long Version,
    DateTimeOffset OpenedAt,
    DateTimeOffset LastActivityAt);

public enum TransactionKind
{
    Deposit,
    Withdrawal,
}

/// <summary>One row of <c>account_transaction</c>: a deposit or withdrawal.</summary>
/// <param name="Offset">The event's global journal offset.</param>
public sealed record AccountTransaction(
    string AccountId,
    long Version,
    TransactionKind Kind,
    decimal Amount,
    decimal BalanceAfter,
    DateTimeOffset OccurredAt,
    long Offset);

/// <summary>The single row of <c>bank_totals</c>.</summary>
public sealed record BankTotals(long AccountsOpen, long AccountsClosed, decimal TotalBalance, decimal TotalDeposited, decimal TotalWithdrawn)
{
    public static BankTotals Zero { get; } = new(0, 0, 0m, 0m, 0m);
}

/// <summary>A page of a list in a stable order.</summary>
/// <param name="NextOffset">The offset of the next page; null when this is the last one.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, int Offset, int Limit, int? NextOffset);

/// <summary>Which accounts to list: filters are combined with AND; <paramref name="Owner"/> matches exactly.</summary>
public sealed record AccountListQuery(AccountStatus? Status = null, string? Owner = null, int Offset = 0, int Limit = BankReadModel.DefaultPageSize);
