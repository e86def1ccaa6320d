using Bank.Domain;

namespace Bank.Host.Http;

/// <summary>One kind of error the API answers with: a stable <see cref="Code"/>, its <see cref="Uri"/> (the problem's <c>type</c>), status and title.</summary>
public sealed record ProblemType(string Code, int Status, string Title)
{
    public const string UriPrefix = "https://bank.example/problems/";

    public string Uri => UriPrefix + Code;
}

/// <summary>Every problem type of the API. Never change a code: clients match on it.</summary>
public static class ProblemTypes
{
    public static readonly ProblemType Validation = new("validation", StatusCodes.Status400BadRequest, "The request is not valid.");
    public static readonly ProblemType NotFound = new("not-found", StatusCodes.Status404NotFound, "The account does not exist.");
    public static readonly ProblemType InsufficientFunds = new("insufficient-funds", StatusCodes.Status409Conflict, "The balance is too low.");
    public static readonly ProblemType AccountClosed = new("account-closed", StatusCodes.Status409Conflict, "The account is closed.");
    public static readonly ProblemType AlreadyExists = new("already-exists", StatusCodes.Status409Conflict, "The account already exists.");
    public static readonly ProblemType IdempotencyConflict = new("idempotency-conflict", StatusCodes.Status409Conflict, "The idempotency key was used for a different request.");
    public static readonly ProblemType BalanceNotZero = new("balance-not-zero", StatusCodes.Status409Conflict, "The balance is not zero.");
    public static readonly ProblemType Unauthorized = new("unauthorized", StatusCodes.Status401Unauthorized, "A valid bearer token is required.");
    public static readonly ProblemType Forbidden = new("forbidden", StatusCodes.Status403Forbidden, "The token's role may not do this.");
    public static readonly ProblemType TooManyRequests = new("too-many-requests", StatusCodes.Status429TooManyRequests, "Too many requests.");
    public static readonly ProblemType HeadersTooLarge = new("headers-too-large", StatusCodes.Status431RequestHeaderFieldsTooLarge, "The request headers are too large.");
    public static readonly ProblemType CurrencyMismatch = new("currency-mismatch", StatusCodes.Status409Conflict, "The accounts hold different currencies.");
    public static readonly ProblemType TransferInFlight = new("transfer-in-flight", StatusCodes.Status409Conflict, "A transfer from the account is still in flight.");
    public static readonly ProblemType TransferNotFound = new("transfer-not-found", StatusCodes.Status404NotFound, "The transfer does not exist.");
    public static readonly ProblemType PayloadTooLarge = new("payload-too-large", StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", StatusCodes.Status415UnsupportedMediaType, "The request body must be application/json.");
    public static readonly ProblemType JournalUnavailable = new("journal-unavailable", StatusCodes.Status503ServiceUnavailable, "The journal is unavailable.");
    public static readonly ProblemType NotReady = new("not-ready", StatusCodes.Status503ServiceUnavailable, "The node is not ready.");
    public static readonly ProblemType ReadModelBehind = new("read-model-behind", StatusCodes.Status503ServiceUnavailable, "The read model has not caught up yet.");
    public static readonly ProblemType ProjectionNotFound = new("projection-not-found", StatusCodes.Status404NotFound, "The projection does not exist.");
    public static readonly ProblemType Internal = new("internal", StatusCodes.Status500InternalServerError, "An unexpected error occurred.");

    public static IReadOnlyList<ProblemType> All { get; } =
        [Validation, NotFound, Unauthorized, Forbidden, TooManyRequests, HeadersTooLarge, InsufficientFunds, AccountClosed, AlreadyExists, IdempotencyConflict, BalanceNotZero, CurrencyMismatch, TransferInFlight, TransferNotFound, PayloadTooLarge, UnsupportedMediaType, JournalUnavailable,
         NotReady, ReadModelBehind, ProjectionNotFound, Internal];

    public static ProblemType For(RejectionCode code) => code switch
    {
        RejectionCode.Validation => Validation,
        RejectionCode.NotFound => NotFound,
        RejectionCode.InsufficientFunds => InsufficientFunds,
        RejectionCode.AccountClosed => AccountClosed,
        RejectionCode.AlreadyExists => AlreadyExists,
        RejectionCode.IdempotencyConflict => IdempotencyConflict,
        RejectionCode.BalanceNotZero => BalanceNotZero,
        RejectionCode.CurrencyMismatch => CurrencyMismatch,
        RejectionCode.TransferInFlight => TransferInFlight,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Unknown rejection code."),
    };
}
