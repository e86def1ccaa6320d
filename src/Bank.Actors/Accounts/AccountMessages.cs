using Bank.Domain;

namespace Bank.Actors.Accounts;

/// <summary>Asks an account for its current state (<see cref="AccountStatus.NotOpened"/> for an id nobody opened).</summary>
public sealed record GetAccount(string AccountId);

/// <summary>What an account answers to a command.</summary>
public abstract record AccountReply
{
    private AccountReply()
    {
    }

    /// <summary>The command's events are in the journal (or, when <paramref name="WasDuplicate"/>, were already).</summary>
    /// <param name="View">The account right after the command; its Version is the sequence number of the command's last event.</param>
    public sealed record Accepted(AccountView View, bool WasDuplicate) : AccountReply;

    /// <summary>The command was refused; nothing was persisted.</summary>
    public sealed record Rejected(Rejection Rejection) : AccountReply;

    /// <summary>
    /// The journal failed to store the command's events. The account stops and recovers on the next message; whether
    /// the write reached the database is unknown, so the caller retries with the same idempotency key.
    /// </summary>
    public sealed record JournalFailed(string Reason) : AccountReply;

    /// <summary>The journal refused the events themselves (e.g. they could not be serialized): a bug, not an outage.</summary>
    public sealed record PersistRejected(string Reason) : AccountReply;
}
