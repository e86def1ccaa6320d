namespace Bank.Domain;

/// <summary>
/// A string describing a command's intent, without its id and time: "open:EUR:100.5:Alice", "deposit:100.5",
/// "withdraw:20", "close". Decimals are normalized (100.5 and 100.50 give the same fingerprint) and the owner is
/// trimmed. The same fingerprint can be derived from the events a command produced, which is how the idempotency
/// window survives recovery from the journal. Fingerprints are stored in snapshots, so their text must never change.
/// </summary>
public static class CommandFingerprint
{
    public static string Of(AccountCommand command) => command switch
    {
        OpenAccount c => Open(c.Owner?.Trim() ?? "", c.Currency ?? "", c.InitialDeposit),
        Deposit c => Deposit(c.Amount),
        Withdraw c => Withdraw(c.Amount),
        CloseAccount => Close(),
        TransferStepCommand c => Transfer(c.Step, c.TransferId, c.Amount),
        null => throw new ArgumentNullException(nameof(command)),
        _ => throw new ArgumentOutOfRangeException(nameof(command), $"Unknown command type {command.GetType().Name}."),
    };

    // The owner is free text, so it goes last: the fields before it have a fixed shape and cannot collide.
    internal static string Open(string owner, string currency, decimal initialDeposit) =>
        $"open:{currency}:{DecimalText.Normalized(initialDeposit)}:{owner}";

    internal static string Deposit(decimal amount) => $"deposit:{DecimalText.Normalized(amount)}";

    internal static string Withdraw(decimal amount) => $"withdraw:{DecimalText.Normalized(amount)}";

    internal static string Close() => "close";

    /// <summary>"transfer-debited:{id}:{amount}" and the like: the transfer's id and amount, which its events carry too.</summary>
    internal static string Transfer(TransferStep step, Guid transferId, decimal amount) =>
        $"transfer-{step.ToString().ToLowerInvariant()}:{transferId:N}:{DecimalText.Normalized(amount)}";
}
