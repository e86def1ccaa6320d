namespace Bank.Domain;

/// <summary>The input rules of a transfer, public so that HTTP validates early with the same sentences.</summary>
public static class TransferRules
{
    public const string TransferIdField = "transferId";
    public const string FromAccountIdField = "fromAccountId";
    public const string ToAccountIdField = "toAccountId";

    /// <summary>Every invalid input of <paramref name="command"/> (empty when it is valid): ids, distinct accounts, amount.</summary>
    public static IReadOnlyList<Rejection> Validate(RequestTransfer command)
    {
        ArgumentNullException.ThrowIfNull(command);
        List<Rejection> invalid = [];
        if (command.TransferId == Guid.Empty)
            invalid.Add(new Rejection(RejectionCode.Validation, TransferIdField, "The transfer id must be a non-empty GUID."));
        if (AccountRules.ValidateAccountId(command.FromAccountId) is { } badFrom) invalid.Add(badFrom with { Field = FromAccountIdField });
        if (AccountRules.ValidateAccountId(command.ToAccountId) is { } badTo) invalid.Add(badTo with { Field = ToAccountIdField });
        if (string.Equals(command.FromAccountId, command.ToAccountId, StringComparison.Ordinal) && command.FromAccountId is not null)
            invalid.Add(new Rejection(RejectionCode.Validation, ToAccountIdField, $"A transfer needs two different accounts, but both sides are '{command.ToAccountId}'."));
        if (AccountRules.ValidateAmount(command.Amount) is { } badAmount) invalid.Add(badAmount);
        return invalid;
    }

    /// <summary>
    /// The command id of a transfer's step on an account: derived from the transfer id and the step, so that every retry
    /// of the step is the same command to the account (its idempotency window recognises it too).
    /// </summary>
    public static Guid StepCommandId(Guid transferId, TransferStep step)
    {
        Span<byte> input = stackalloc byte[17];
        transferId.TryWriteBytes(input);
        input[16] = (byte)step;
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(input, hash);
        return new Guid(hash[..16]);
    }
}
