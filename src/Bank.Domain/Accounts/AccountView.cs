namespace Bank.Domain;

/// <summary>What the API returns for an account.</summary>
public sealed record AccountView(string AccountId, string Owner, string Currency, decimal Balance, AccountStatus Status, long Version)
{
    /// <summary>The view of an opened (open or closed) account; throws for an account that was never opened.</summary>
    public static AccountView From(AccountState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Status == AccountStatus.NotOpened || state.Owner is null || state.Currency is null)
            throw new InvalidOperationException($"Account '{state.AccountId}' has not been opened, so it has no view.");
        return new AccountView(state.AccountId, state.Owner, state.Currency, state.Balance, state.Status, state.Version);
    }
}
