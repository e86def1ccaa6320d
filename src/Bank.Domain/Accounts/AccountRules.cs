namespace Bank.Domain;

/// <summary>
/// The input rules of the account domain, public so that outer layers (HTTP) can validate early with the same
/// limits and sentences. Each Validate method returns null when the input is valid.
/// </summary>
public static class AccountRules
{
    public const int MaxAccountIdLength = 64;

    /// <summary>What <see cref="ValidateAccountId"/> accepts, as a regular expression (e.g. for OpenAPI or route constraints).</summary>
    public const string AccountIdPattern = "^[A-Za-z0-9_-]{1,64}$";

    public const int MaxOwnerLength = 200;

    /// <summary>What <see cref="ValidateCurrency"/> accepts, as a regular expression.</summary>
    public const string CurrencyPattern = "^[A-Z]{3}$";

    /// <summary>The currency callers use when a request names none. The domain itself never defaults it.</summary>
    public const string DefaultCurrency = "EUR";

    public const int MaxDecimals = 2;

    public const decimal MaxAmount = 1_000_000_000_000.00m;

    public const string AccountIdField = "accountId";
    public const string OwnerField = "owner";
    public const string CurrencyField = "currency";
    public const string AmountField = "amount";
    public const string InitialDepositField = "initialDeposit";
    public const string IdempotencyKeyField = "Idempotency-Key";

    public static Rejection? ValidateAccountId(string? accountId)
    {
        var valid = accountId is { Length: >= 1 and <= MaxAccountIdLength } && accountId.All(IsAccountIdChar);
        return valid
            ? null
            : Invalid(AccountIdField, $"The account id must be 1 to {MaxAccountIdLength} characters, each a letter (A-Z, a-z), a digit, '_' or '-'.");
    }

    /// <summary>Validates the owner as it will be stored, i.e. after trimming (see <see cref="NormalizeOwner"/>).</summary>
    public static Rejection? ValidateOwner(string? owner)
    {
        if (string.IsNullOrWhiteSpace(owner))
            return Invalid(OwnerField, "The owner must not be blank.");
        var length = NormalizeOwner(owner).Length;
        return length > MaxOwnerLength
            ? Invalid(OwnerField, $"The owner must be at most {MaxOwnerLength} characters long, but is {length} characters long.")
            : null;
    }

    public static string NormalizeOwner(string owner) => owner.Trim();

    public static Rejection? ValidateCurrency(string? currency) =>
        currency is { Length: 3 } && currency.All(char.IsAsciiLetterUpper)
            ? null
            : Invalid(CurrencyField, "The currency must be a code of three uppercase letters, such as EUR.");

    /// <summary>An amount to deposit or withdraw: more than zero, at most <see cref="MaxDecimals"/> decimals by value, at most <see cref="MaxAmount"/>.</summary>
    public static Rejection? ValidateAmount(decimal amount, string field = AmountField) =>
        amount <= 0m
            ? Invalid(field, $"The amount must be greater than zero, but is {DecimalText.Money(amount)}.")
            : ValidateMagnitude(amount, field);

    /// <summary>Like <see cref="ValidateAmount"/> but zero (no initial deposit) is allowed.</summary>
    public static Rejection? ValidateInitialDeposit(decimal amount, string field = InitialDepositField) =>
        amount < 0m
            ? Invalid(field, $"The initial deposit must not be negative, but is {DecimalText.Money(amount)}.")
            : ValidateMagnitude(amount, field);

    private static Rejection? ValidateMagnitude(decimal amount, string field)
    {
        if (amount > MaxAmount)
            return Invalid(field, $"The amount of {DecimalText.Money(amount)} exceeds the maximum of {DecimalText.Money(MaxAmount)}.");
        // By value, not by scale: 1.100m has scale 3 but is 1.10, which is fine.
        if (decimal.Round(amount, MaxDecimals) != amount)
            return Invalid(field, $"The amount of {DecimalText.Money(amount)} has more than {MaxDecimals} decimal places.");
        return null;
    }

    private static bool IsAccountIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';

    private static Rejection Invalid(string field, string reason) => new(RejectionCode.Validation, field, reason);
}
