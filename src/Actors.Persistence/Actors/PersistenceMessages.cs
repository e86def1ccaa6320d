using Actors.Persistence.Snapshots;

namespace Actors.Persistence;

/// <summary>Offered to the recovery handler first when a snapshot was found; the events after it follow.</summary>
public sealed record SnapshotOffer(SnapshotMetadata Metadata, object Snapshot);

/// <summary>The last message of recovery: all events have been replayed.</summary>
public sealed class RecoveryCompleted
{
    public static readonly RecoveryCompleted Instance = new();
    private RecoveryCompleted() { }
}

public sealed record SaveSnapshotSuccess(SnapshotMetadata Metadata);
public sealed record SaveSnapshotFailure(SnapshotMetadata Metadata, Exception Cause);
public sealed record DeleteSnapshotsSuccess(SnapshotSelectionCriteria Criteria);
public sealed record DeleteSnapshotsFailure(SnapshotSelectionCriteria Criteria, Exception Cause);
public sealed record DeleteMessagesSuccess(long ToSequenceNr);
public sealed record DeleteMessagesFailure(long ToSequenceNr, Exception Cause);

/// <summary>What recovery reads: from which snapshot, up to which event, at most how many.</summary>
public sealed record Recovery(SnapshotSelectionCriteria FromSnapshot, long ToSequenceNr = long.MaxValue, long ReplayMax = long.MaxValue)
{
    public static Recovery Default { get; } = new(SnapshotSelectionCriteria.Latest);

    /// <summary>Replays nothing: the actor starts empty after the highest stored sequence number.</summary>
    public static Recovery None { get; } = new(SnapshotSelectionCriteria.None, 0, 0);
}

/// <summary>The sender of a command whose events could not be written gets this as a <c>Status.Failure</c>.</summary>
public sealed class PersistenceFailureException(string message, Exception inner) : Exception(message, inner);

/// <summary>The journal refused the events (e.g. they cannot be serialized); nothing was written and the actor goes on.</summary>
public sealed class PersistenceRejectedException(string message, Exception inner) : Exception(message, inner);
