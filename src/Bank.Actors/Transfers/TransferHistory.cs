using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Bank.Domain;

namespace Bank.Actors.Transfers;

/// <summary>
/// Reads a transfer's state from its events in the journal. As current as asking the transfer itself (its state is
/// exactly its persisted events), but it leaves an ended transfer asleep: a message would start the entity again, and the
/// region would remember it (a journal write) until it left again (another).
/// </summary>
public sealed class TransferHistory(ICurrentEventsByPersistenceIdQuery readJournal, IMaterializer materializer)
{
    /// <summary>The transfer as its events make it; <see cref="TransferStage.None"/> when nobody asked for it.</summary>
    public async Task<TransferState> StateAsync(Guid transferId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var persistenceId = TransferActor.PersistenceIdPrefix + TransferMessageExtractor.EntityIdOf(transferId);
        var (killSwitch, done) = readJournal.CurrentEventsByPersistenceId(persistenceId, 1, long.MaxValue)
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .ToMaterialized(Sink.Seq<EventEnvelope>(), Keep.Both)
            .Run(materializer);
        await using var _ = cancellationToken.Register(() => killSwitch.Abort(new OperationCanceledException(cancellationToken)));
        var envelopes = await done.ConfigureAwait(false);
        return TransferDecider.Fold(TransferState.Initial(transferId), envelopes.Select(e => e.Event).OfType<TransferEvent>());
    }
}
