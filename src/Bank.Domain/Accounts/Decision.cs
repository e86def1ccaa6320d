namespace Bank.Domain;

/// <summary>The outcome of <see cref="AccountDecider.Decide"/>. Closed: exactly the three nested records.</summary>
public abstract record Decision
{
    private Decision()
    {
    }

    /// <summary>The command is accepted; persist <paramref name="Events"/> (one or more) then evolve the state with them.</summary>
    public sealed record Accepted(IReadOnlyList<AccountEvent> Events) : Decision;

    /// <summary>The command is refused; nothing is produced.</summary>
    public sealed record Rejected(Rejection Rejection) : Decision;

    /// <summary>The same command (same id, same intent) was already accepted; nothing is produced, answer with the original outcome.</summary>
    public sealed record Duplicate(ProcessedCommand Original) : Decision;
}
