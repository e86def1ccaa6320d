using Actors.Core;
using Actors.Persistence;

namespace Actors.Persistence.Tests.PersistentActors;

public sealed record Add(int Value);
public sealed record AddTwice(int Value);
public sealed record Added(int Value);
public sealed record GetTotal;
public sealed record Total(int Value, long LastSequenceNr, IReadOnlyList<int> Applied);
public sealed record TakeSnapshot;
public sealed record CounterSnapshot(int Total, IReadOnlyList<int> Applied);
public sealed record DeleteUpTo(long SequenceNr);
public sealed record GetSnapshotSequenceNr;

/// <summary>A persistent counter used by the specs: every accepted Add becomes an Added event.</summary>
public sealed class CounterActor : ReceivePersistentActor
{
    private readonly string _persistenceId;
    private readonly IActorRef? _recoveryProbe;
    private int _total;
    private List<int> _applied = [];

    public CounterActor(string persistenceId, IActorRef? recoveryProbe = null)
    {
        _persistenceId = persistenceId;
        _recoveryProbe = recoveryProbe;

        Recover<SnapshotOffer>(offer =>
        {
            var snapshot = (CounterSnapshot)offer.Snapshot;
            (_total, _applied) = (snapshot.Total, [.. snapshot.Applied]);
            _recoveryProbe?.Tell(offer, Self);
        });
        Recover<Added>(Apply);
        Recover<RecoveryCompleted>(c => _recoveryProbe?.Tell(c, Self));

        Command<Add>(add =>
        {
            if (add.Value < 0)
            {
                Sender.Tell(new Status.Failure(new ArgumentException("negative")), Self);
                return;
            }
            Persist(new Added(add.Value), added =>
            {
                Apply(added);
                Sender.Tell(new Total(_total, LastSequenceNr, _applied), Self);
            });
        });
        Command<AddTwice>(add => PersistAll([new Added(add.Value), new Added(add.Value)], added =>
        {
            Apply(added);
            Sender.Tell(new Total(_total, LastSequenceNr, _applied), Self);
        }));
        Command<PersistUnserializable>(_ => Persist(new Unserializable(() => { }), _ => Sender.Tell("stored", Self)));
        Command<GetTotal>(_ => Sender.Tell(new Total(_total, LastSequenceNr, _applied), Self));
        Command<TakeSnapshot>(_ => SaveSnapshot(new CounterSnapshot(_total, [.. _applied])));
        Command<GetSnapshotSequenceNr>(_ => Sender.Tell(SnapshotSequenceNr, Self));
        Command<SaveSnapshotSuccess>(s => _recoveryProbe?.Tell(s, Self));
        Command<DeleteUpTo>(d => DeleteMessages(d.SequenceNr));
        Command<DeleteMessagesSuccess>(s => _recoveryProbe?.Tell(s, Self));
    }

    public override string PersistenceId => _persistenceId;

    private void Apply(Added added)
    {
        _total += added.Value;
        _applied.Add(added.Value);
    }
}

/// <summary>An event the serializer cannot write: System.Text.Json refuses delegates.</summary>
public sealed record Unserializable(Action Callback);

public sealed record PersistUnserializable;
