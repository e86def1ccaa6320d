namespace Bank.Domain;

public enum RejectionCode
{
    Validation,
    NotFound,
    InsufficientFunds,
    AccountClosed,
    AlreadyExists,
    IdempotencyConflict,
    BalanceNotZero,
    CurrencyMismatch,

    /// <summary>The account gave money to a transfer whose end it has not learnt yet: it may not close before it does.</summary>
    TransferInFlight,
}

/// <summary>
/// Why a command was refused. <paramref name="Field"/> names the request input at fault
/// ("accountId", "owner", "currency", "amount", "initialDeposit", "Idempotency-Key"), or is null when the
/// refusal is about the account's state rather than an input (AccountClosed, BalanceNotZero, TransferInFlight).
/// <paramref name="Reason"/> is a human sentence.
/// </summary>
public sealed record Rejection(RejectionCode Code, string? Field, string Reason);
