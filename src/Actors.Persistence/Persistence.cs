using Actors.Core;
using Actors.Persistence.Journal;
using Actors.Persistence.Snapshots;

namespace Actors.Persistence;

public sealed record PersistenceSettings
{
    /// <summary>How many actors may recover at the same time; the others wait their turn (a restart storm must not swamp the store).</summary>
    public int MaxConcurrentRecoveries { get; init; } = 50;

    /// <summary>Written into every event so a reader can tell which node wrote it.</summary>
    public string WriterId { get; init; } = Guid.NewGuid().ToString("N");
}

/// <summary>The journal and snapshot store of an actor system: register once, then every persistent actor uses them.</summary>
public sealed class Persistence
{
    private Persistence(ActorSystem system, IJournal journal, ISnapshotStore snapshotStore, PersistenceSettings settings)
    {
        System = system;
        Journal = journal;
        SnapshotStore = snapshotStore;
        Settings = settings;
        RecoveryPermits = new SemaphoreSlim(Math.Max(1, settings.MaxConcurrentRecoveries));
    }

    public ActorSystem System { get; }
    public IJournal Journal { get; }
    public ISnapshotStore SnapshotStore { get; }
    public PersistenceSettings Settings { get; }
    internal SemaphoreSlim RecoveryPermits { get; }

    public static Persistence Register(ActorSystem system, IJournal journal, ISnapshotStore snapshotStore, PersistenceSettings? settings = null)
    {
        var persistence = new Persistence(system, journal, snapshotStore, settings ?? new PersistenceSettings());
        system.RegisterExtension(persistence);
        return persistence;
    }

    public static Persistence Get(ActorSystem system) =>
        system.TryGetExtension<Persistence>(out var persistence) && persistence is not null
            ? persistence
            : throw new InvalidOperationException(
                $"No journal is registered for {system}. Call Persistence.Register(system, journal, snapshotStore) (or AddActors(...).WithPersistence(...)) first.");
}
