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
    /// <summary>The account gave money to a transfer.</summary>
    TransferOut,
    /// <summary>The account received money by a transfer.</summary>
    TransferIn,
    /// <summary>The account got back what it gave to a transfer whose target refused it.</summary>
    TransferRefund,
}

/// <summary>One row of <c>account_transaction</c>: a deposit, a withdrawal or a transfer's step on this account.</summary>
/// <param name="Offset">The event's global journal offset.</param>
public sealed record AccountTransaction(
    string AccountId,
    long Version,
    TransactionKind Kind,
    decimal Amount,
    decimal BalanceAfter,
    DateTimeOffset OccurredAt,
    long Offset)
{
    /// <summary>The transfer of a transfer step; null for a deposit or withdrawal.</summary>
    public Guid? TransferId { get; init; }

    /// <summary>The account on the other side of a transfer step.</summary>
    public string? Counterparty { get; init; }
}

/// <summary>One row of <c>bank_transfer</c>: a transfer that moved money (its source was debited).</summary>
/// <param name="Status">pending until the target was credited (completed) or the source refunded (failed).</param>
/// <param name="Offset">The global journal offset of the event that started the row (the debit).</param>
public sealed record TransferSummary(
    Guid TransferId,
    string FromAccountId,
    string ToAccountId,
    string Currency,
    decimal Amount,
    TransferStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    long Offset);

/// <summary>One row of <c>bank_totals</c>: the accounts of one currency and their money. Amounts are in that currency.</summary>
/// <param name="Currency">Three uppercase letters (ISO 4217), as the accounts were opened with.</param>
public sealed record CurrencyTotals(
    string Currency, long AccountsOpen, long AccountsClosed, decimal TotalBalance, decimal TotalDeposited, decimal TotalWithdrawn)
{
    public static CurrencyTotals Zero(string currency) => new(currency, 0, 0, 0m, 0m, 0m);

    /// <summary>Given by transfers' sources and not yet credited to their targets or refunded: with <see cref="TotalBalance"/>, all the money.</summary>
    public decimal MoneyInFlight { get; init; }
}

/// <summary>
/// The bank's totals: one <see cref="CurrencyTotals"/> for every currency that has had an account, by currency
/// (ordinal). Money is never added across currencies; account counts are, in <see cref="AccountsOpen"/> and
/// <see cref="AccountsClosed"/>. Two totals are equal when their rows are.
/// </summary>
public sealed record BankTotals(IReadOnlyList<CurrencyTotals> Currencies)
{
    public static BankTotals Zero { get; } = new([]);

    /// <summary>Open accounts of every currency.</summary>
    public long AccountsOpen => Currencies.Sum(c => c.AccountsOpen);

    /// <summary>Closed accounts of every currency.</summary>
    public long AccountsClosed => Currencies.Sum(c => c.AccountsClosed);

    /// <summary>The totals of <paramref name="currency"/>; zero when no account has it.</summary>
    public CurrencyTotals For(string currency) =>
        Currencies.FirstOrDefault(c => string.Equals(c.Currency, currency, StringComparison.Ordinal)) ?? CurrencyTotals.Zero(currency);

    public bool Equals(BankTotals? other) =>
        other is not null && (ReferenceEquals(this, other) || Currencies.SequenceEqual(other.Currencies));

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var currency in Currencies) hash.Add(currency);
        return hash.ToHashCode();
    }

    // The rows themselves, not the list's type name, so that a failed comparison shows what differed.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("AccountsOpen = ").Append(AccountsOpen).Append(", AccountsClosed = ").Append(AccountsClosed)
            .Append(", Currencies = [").AppendJoin(", ", Currencies).Append(']');
        return true;
    }
}

/// <summary>A page of a list in a stable order.</summary>
/// <param name="NextOffset">The offset of the next page; null when this is the last one.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, int Offset, int Limit, int? NextOffset);

/// <summary>Which accounts to list: filters are combined with AND; <paramref name="Owner"/> matches exactly.</summary>
public sealed record AccountListQuery(AccountStatus? Status = null, string? Owner = null, int Offset = 0, int Limit = BankReadModel.DefaultPageSize);
