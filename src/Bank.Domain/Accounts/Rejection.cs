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
}

/// <summary>
/// Why a command was refused. <paramref name="Field"/> names the request input at fault
/// ("accountId", "owner", "currency", "amount", "initialDeposit", "Idempotency-Key"), or is null when the
/// refusal is about the account's state rather than an input (AccountClosed, BalanceNotZero).
/// <paramref name="Reason"/> is a human sentence.
/// </summary>
public sealed record Rejection(RejectionCode Code, string? Field, string Reason);
