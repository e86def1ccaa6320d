using Actors.Persistence.Serialization;
using Bank.Domain;

namespace Bank.Actors;

/// <summary>The stable names under which account events and snapshots are stored. Never change a name; add a new one and an upcaster.</summary>
public static class BankEventTypes
{
    public const string AccountTag = "account";

    public static EventTypeRegistry Register(EventTypeRegistry registry) => registry
        .Map<AccountOpened>("bank.account-opened.v1")
        .Map<MoneyDeposited>("bank.money-deposited.v1")
        .Map<MoneyWithdrawn>("bank.money-withdrawn.v1")
        .Map<AccountClosed>("bank.account-closed.v1")
        .Map<AccountState>("bank.account-state.v1");
}
