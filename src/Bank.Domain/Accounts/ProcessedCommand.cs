namespace Bank.Domain;

/// <summary>
/// One remembered accepted command: its id, the <see cref="CommandFingerprint"/> of its intent, and the
/// account's outcome right after its last event (what a repeat of the command is answered with).
/// </summary>
public sealed record ProcessedCommand(Guid CommandId, string Fingerprint, long Version, decimal Balance, AccountStatus Status);
