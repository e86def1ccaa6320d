namespace Bank.Domain;

/// <summary>
/// Asks for a transfer of <paramref name="Amount"/> from <paramref name="FromAccountId"/> to <paramref name="ToAccountId"/>.
/// <paramref name="TransferId"/> is its identity and idempotency key: asking again with the same id and the same intent
/// is the same transfer. The currency is the source's, learnt when the transfer starts.
/// </summary>
public sealed record RequestTransfer(Guid TransferId, string FromAccountId, string ToAccountId, decimal Amount, DateTimeOffset Now)
{
    /// <summary>Who asks for it: a customer may move money only out of its own accounts. Null when authentication is off.</summary>
    public Issuer? IssuedBy { get; init; }
}
