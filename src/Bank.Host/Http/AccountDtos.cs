using System.ComponentModel;
using System.Text.Json.Serialization;
using Bank.Actors.Accounts;
using Bank.Domain;

namespace Bank.Host.Http;

/// <summary>Opens an account. Only <see cref="Owner"/> is required, and only of tellers.</summary>
public sealed record OpenAccountRequest
{
    [Description("1 to 64 characters: letters, digits, '_' or '-'. Generated when absent (derived from the Idempotency-Key when one is given).")]
    public string? AccountId { get; init; }

    [Description("The owner's subject (the 'sub' of their tokens); 1 to 200 characters after trimming. A teller must give it; "
                 + "a customer may leave it out (it is then the customer itself) and may give only its own subject.")]
    public string? Owner { get; init; }

    [Description("Three uppercase letters; EUR when absent.")]
    public string? Currency { get; init; }

    [Description("Deposited at opening; 0 when absent. At most 2 decimals.")]
    public decimal? InitialDeposit { get; init; }
}

/// <summary>A deposit or withdrawal.</summary>
public sealed record AmountRequest
{
    [Description("Greater than zero, at most 2 decimals, a JSON number.")]
    public required decimal Amount { get; init; }
}

/// <summary>An account as it is (or was).</summary>
public sealed record AccountResponse(string AccountId, string Owner, string Currency, decimal Balance, AccountStatus Status, long Version)
{
    public static AccountResponse From(AccountView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new AccountResponse(view.AccountId, view.Owner, view.Currency, view.Balance, view.Status, view.Version);
    }
}

/// <summary>An account right after a command changed it.</summary>
/// <param name="Offset">
/// The global journal position of the command's last event, for read-your-writes on the read side; 0 when the
/// request was a retry of an earlier one (header <c>Idempotent-Replayed: true</c>).
/// </param>
public sealed record AccountWriteResponse(string AccountId, string Owner, string Currency, decimal Balance, AccountStatus Status, long Version, long Offset)
{
    public static AccountWriteResponse From(AccountReply.Accepted accepted, long offset)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        var view = accepted.View;
        return new AccountWriteResponse(view.AccountId, view.Owner, view.Currency, view.Balance, view.Status, view.Version, offset);
    }
}

/// <summary>One event of an account. Fields that do not belong to the event's type are absent.</summary>
public sealed record AccountEventResponse
{
    public required long Version { get; init; }

    [Description("The stable stored type name, e.g. bank.money-deposited.v1.")]
    public required string Type { get; init; }

    [Description("When it happened (the time of the command).")]
    public required DateTimeOffset OccurredAt { get; init; }

    [Description("When the journal stored it.")]
    public required DateTimeOffset StoredAt { get; init; }

    [Description("The global journal position.")]
    public required long Offset { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Owner { get; init; }

    [Description("Who issued the command that produced it (the audit); absent for events from before authentication, or with it off.")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IssuerResponse? IssuedBy { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Currency { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? Amount { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? BalanceAfter { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? FinalBalance { get; init; }

    public static AccountEventResponse From(AccountEventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var response = new AccountEventResponse
        {
            Version = record.Version,
            Type = record.Type,
            OccurredAt = record.Event.At,
            StoredAt = record.StoredAt,
            Offset = record.Ordering,
            IssuedBy = IssuerResponse.From(record.Event.IssuedBy),
        };
        return record.Event switch
        {
            AccountOpened e => response with { Owner = e.Owner, Currency = e.Currency },
            MoneyDeposited e => response with { Amount = e.Amount, BalanceAfter = e.BalanceAfter },
            MoneyWithdrawn e => response with { Amount = e.Amount, BalanceAfter = e.BalanceAfter },
            AccountClosed e => response with { FinalBalance = e.FinalBalance },
            _ => response,
        };
    }
}

/// <summary>Who issued a command: the token's subject and the role it acted in (customer, teller or admin).</summary>
public sealed record IssuerResponse(string Subject, Role Role)
{
    public static IssuerResponse? From(Issuer? issuer) => issuer is null ? null : new IssuerResponse(issuer.Subject, issuer.Role);
}

/// <summary>A page of an account's events, oldest first.</summary>
/// <param name="NextFromVersion">Pass as <c>fromVersion</c> for the next page; null when this page reaches the newest event.</param>
public sealed record AccountEventsPage(string AccountId, IReadOnlyList<AccountEventResponse> Events, long? NextFromVersion);

public sealed record HealthResponse(string Status);
