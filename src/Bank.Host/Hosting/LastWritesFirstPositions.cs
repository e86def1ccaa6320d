using Actors.Journal;
using Bank.ReadModels;

namespace Bank.Host.Hosting;

/// <summary>
/// The journal's positions, with the ordering of a write this node's group-commit journal just committed taken from the
/// journal's memory (<see cref="LastWrites"/>) instead of a query: every accepted command's answer carries the ordering
/// of its last event, and the account that wrote it usually lives on the node that answers. Anything else (an
/// account owned by another node, a forgotten write) is read from the database as before.
/// </summary>
internal sealed class LastWritesFirstPositions(JournalPositions database, LastWrites lastWrites) : JournalPositions
{
    public override Task<long> HighestOffsetAsync(CancellationToken cancellationToken = default) => database.HighestOffsetAsync(cancellationToken);

    public override Task<long?> OrderingOfAsync(string persistenceId, long sequenceNr, CancellationToken cancellationToken = default) =>
        lastWrites.TryGetOrdering(persistenceId, sequenceNr, out var ordering)
            ? Task.FromResult<long?>(ordering)
            : database.OrderingOfAsync(persistenceId, sequenceNr, cancellationToken);

    public override Task<bool> JournalExistsAsync(CancellationToken cancellationToken = default) => database.JournalExistsAsync(cancellationToken);

    public override ValueTask DisposeAsync() => database.DisposeAsync();
}
