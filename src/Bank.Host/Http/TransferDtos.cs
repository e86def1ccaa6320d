using System.ComponentModel;
using System.Text.Json.Serialization;
using Bank.Domain;
using Bank.ReadModels;

namespace Bank.Host.Http;

/// <summary>Asks for a transfer between two accounts of the same currency.</summary>
public sealed record TransferRequest
{
    [Description("The transfer's id and idempotency key (a GUID). When absent: derived from the Idempotency-Key header if one is given, else new.")]
    public Guid? TransferId { get; init; }

    [Description("The source account; it must exist and be open.")]
    public required string FromAccountId { get; init; }

    [Description("The target account, another one than the source. An unknown or closed target makes the transfer fail (the source is refunded).")]
    public required string ToAccountId { get; init; }

    [Description("Greater than zero, at most 2 decimals, a JSON number.")]
    public required decimal Amount { get; init; }
}

/// <summary>A transfer as its process knows it now.</summary>
public sealed record TransferResponse
{
    public required Guid TransferId { get; init; }

    public required string FromAccountId { get; init; }

    public required string ToAccountId { get; init; }

    [Description("The source's currency, which the target must hold too.")]
    public required string Currency { get; init; }

    public required decimal Amount { get; init; }

    [Description("pending until the money reached the target and the source was told (completed) or the transfer moved nothing in the end (failed).")]
    public required TransferStatus Status { get; init; }

    [Description("Why it failed: the problem code of the account's refusal (insufficient-funds, account-closed, not-found, currency-mismatch).")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FailureCode { get; init; }

    [Description("Why it failed, in words.")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FailureReason { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? EndedAt { get; init; }

    public static TransferResponse From(TransferState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Exists) throw new InvalidOperationException($"Transfer {state.TransferId} was never requested, so it has no response.");
        var failed = state.Stage == TransferStage.Failed;
        return new TransferResponse
        {
            TransferId = state.TransferId,
            FromAccountId = state.FromAccountId!,
            ToAccountId = state.ToAccountId!,
            Currency = state.Currency!,
            Amount = state.Amount,
            Status = state.Status,
            FailureCode = failed ? ProblemTypes.For(state.Code!.Value).Code : null,
            FailureReason = failed ? state.Reason : null,
            RequestedAt = state.RequestedAt!.Value,
            EndedAt = state.EndedAt,
        };
    }
}

/// <summary>A transfer that moved money from or to an account, as the read model has it.</summary>
public sealed record AccountTransferResponse(
    Guid TransferId, string FromAccountId, string ToAccountId, string Currency, decimal Amount, TransferStatus Status,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, long Offset)
{
    public static AccountTransferResponse From(TransferSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new AccountTransferResponse(summary.TransferId, summary.FromAccountId, summary.ToAccountId, summary.Currency, summary.Amount,
            summary.Status, summary.StartedAt, summary.EndedAt, summary.Offset);
    }
}

/// <summary>A page of an account's transfers, oldest first.</summary>
/// <param name="NextOffset">Pass as <c>offset</c> for the next page; null when this is the last one.</param>
public sealed record AccountTransferListResponse(string AccountId, IReadOnlyList<AccountTransferResponse> Transfers, int Offset, int Limit, int? NextOffset);
