using Bank.Domain;

namespace Bank.Actors;

/// <summary>Asks an account actor for its current state (NotOpened for an id nobody opened).</summary>
public sealed record GetAccount(string AccountId);

/// <summary>What an account actor answers to a command.</summary>
public abstract record AccountReply
{
    private AccountReply() { }

    /// <param name="Ordering">The global journal position of the command's last event (0 for a duplicate), for read-your-writes.</param>
    public sealed record Accepted(AccountView View, long Ordering, bool WasDuplicate) : AccountReply;

    public sealed record Rejected(Rejection Rejection) : AccountReply;
}
