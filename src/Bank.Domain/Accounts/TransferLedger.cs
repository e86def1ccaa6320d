using System.Collections.Immutable;

namespace Bank.Domain;

/// <summary>
/// What an account did for one transfer. A source is debited, then refunded (the target refused the money) or settled (the
/// target took it); a target is credited.
/// </summary>
[Flags]
public enum TransferStep
{
    None = 0,
    Debited = 1,
    Credited = 2,
    Refunded = 4,

    /// <summary>The source learnt that the target took the money: the transfer no longer concerns it. Moves no money.</summary>
    Settled = 8,

    /// <summary>
    /// Not a step but a mark on a debit: its transfer will tell the source how it ended (refunded or settled), so until
    /// then the money is in flight and the source may not close. Debits from before settlements existed lack it: their
    /// transfers never settle, and must not keep their source open forever.
    /// </summary>
    SettlementDue = 16,
}

/// <summary>One transfer of a ledger: its id and the steps the account applied for it (stored in snapshots).</summary>
public sealed record TransferLedgerEntry(Guid TransferId, TransferStep Steps);

/// <summary>
/// Every transfer an account took part in, with the steps it applied for it. Unlike the bounded idempotency window,
/// nothing is ever evicted: a transfer's step retried after any number of other commands is still recognised, so each
/// step takes effect at most once. Immutable; equality is by value (same transfers, same steps).
/// </summary>
public sealed class TransferLedger : IEquatable<TransferLedger>
{
    private readonly ImmutableDictionary<Guid, TransferStep> _steps;

    private TransferLedger(ImmutableDictionary<Guid, TransferStep> steps) => _steps = steps;

    public static TransferLedger Empty { get; } = new(ImmutableDictionary<Guid, TransferStep>.Empty);

    /// <summary>Restores a ledger (e.g. from a snapshot).</summary>
    public static TransferLedger Of(IEnumerable<KeyValuePair<Guid, TransferStep>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return new TransferLedger(ImmutableDictionary.CreateRange(entries.Where(e => e.Value != TransferStep.None)));
    }

    public int Count => _steps.Count;

    /// <summary>Every transfer with its steps (what a snapshot stores), by transfer id.</summary>
    public IReadOnlyList<KeyValuePair<Guid, TransferStep>> Entries => [.. _steps.OrderBy(e => e.Key)];

    public TransferStep StepsOf(Guid transferId) => _steps.GetValueOrDefault(transferId);

    public bool Has(Guid transferId, TransferStep step) => (StepsOf(transferId) & step) == step && step != TransferStep.None;

    public TransferLedger With(Guid transferId, TransferStep step) => new(_steps.SetItem(transferId, StepsOf(transferId) | step));

    /// <summary>
    /// A transfer this account gave money to whose end it has not learnt yet (its debit awaits a settlement, and it was
    /// neither refunded nor settled), the lowest id when there are several; null when there is none. Scans the ledger:
    /// only a close asks, and closes are rare.
    /// </summary>
    public Guid? FirstInFlight()
    {
        Guid? found = null;
        foreach (var (id, steps) in _steps)
        {
            if (IsInFlight(steps) && (found is null || id.CompareTo(found.Value) < 0)) found = id;
        }
        return found;
    }

    private static bool IsInFlight(TransferStep steps) =>
        (steps & TransferStep.SettlementDue) != TransferStep.None && (steps & (TransferStep.Refunded | TransferStep.Settled)) == TransferStep.None;

    public bool Equals(TransferLedger? other) =>
        ReferenceEquals(this, other)
        || other is not null && Count == other.Count && _steps.All(e => other._steps.TryGetValue(e.Key, out var steps) && steps == e.Value);

    public override bool Equals(object? obj) => obj is TransferLedger other && Equals(other);

    public override int GetHashCode()
    {
        var hash = 0;
        foreach (var (id, steps) in _steps) hash ^= HashCode.Combine(id, steps);
        return HashCode.Combine(Count, hash);
    }

    public override string ToString() => $"TransferLedger {{ Count = {Count} }}";
}
