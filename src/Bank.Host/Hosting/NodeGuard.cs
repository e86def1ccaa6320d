using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;

namespace Bank.Host.Hosting;

/// <summary>
/// Says when this node must not take requests although its process runs: it has been downed or removed from the cluster
/// (it then shuts down: <c>run-coordinated-shutdown-when-down</c>, and Akka.Hosting stops the host when the actor system
/// terminates), or it was frozen (SIGSTOP, a VM paused) for longer than the failure detector tolerates. A frozen node
/// may have been downed, and its accounts recovered elsewhere, without knowing it yet: when it wakes it answers nothing
/// until it has heard from the cluster again (it is Up, every member is reachable, and the split-brain resolver's
/// stable-after has passed), or, having been downed, it shuts down.
/// </summary>
/// <remarks>
/// A dedicated thread notes the time every <see cref="TickInterval"/>; a gap longer than the failure detector's
/// acceptable heartbeat pause is a freeze. A request that wakes before that thread does sees the gap itself, so no request
/// is served in between. Only a node with other members can be downed by them: a cluster of one never refuses for a freeze.
/// </remarks>
public sealed class NodeGuard : IDisposable
{
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(100);

    private readonly ActorSystem _system;
    private readonly Cluster _cluster;
    private readonly TimeSpan _freezeAfter;
    private readonly TimeSpan _settle;
    private readonly Thread _ticker;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _removed;
    private long _lastTick = Stopwatch.GetTimestamp();
    private long _wokeAt;

    public NodeGuard(ActorSystem system, BankHocon hocon)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(hocon);
        _system = system;
        _cluster = Cluster.Get(system);
        _freezeAfter = hocon.Config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause", TimeSpan.FromSeconds(3));
        _settle = hocon.Config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after", TimeSpan.FromSeconds(20)) + TimeSpan.FromSeconds(1);
        _ticker = new Thread(Tick) { IsBackground = true, Name = "bank-node-guard" };
        _ticker.Start();
        _cluster.RegisterOnMemberUp(() => _up.TrySetResult());
        _cluster.RegisterOnMemberRemoved(() => _removed = true);
    }

    /// <summary>
    /// Completes when this node is first Up in its cluster; requests wait for it (<see cref="Http.NodeGuardMiddleware"/>).
    /// Until a node has joined, and for a moment after, the cluster's view of its own member still reads Removed, so
    /// removal is taken from the cluster's removal callback, not from that view.
    /// </summary>
    public Task WhenUp => _up.Task;

    /// <summary>Null when the node may serve; else why not.</summary>
    public string? Refusal()
    {
        var cluster = _cluster;
        if (_system.WhenTerminated.IsCompleted || cluster.IsTerminated)
            return "This node has left the cluster and is shutting down.";
        // Downed, or quarantined by another node (QuarantineShutdown): no request from the moment the shutdown starts.
        if (CoordinatedShutdown.Get(_system).ShutdownReason is CoordinatedShutdown.ClusterDowningReason)
            return "This node was removed from its cluster and is shutting down: its accounts are served by the other nodes.";
        var status = cluster.SelfMember.Status;
        if (status is MemberStatus.Down || _removed)
            return $"This node is {(_removed ? MemberStatus.Removed : status)} in its cluster: its accounts are served by the other nodes. It is shutting down.";

        var now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(Volatile.Read(ref _lastTick), now) > _freezeAfter && HasOtherMembers(cluster))
            return "This node was frozen longer than the failure detector tolerates; it waits to hear from the cluster again.";
        var wokeAt = Volatile.Read(ref _wokeAt);
        if (wokeAt == 0) return null;
        if (Stopwatch.GetElapsedTime(wokeAt, now) >= _settle && status == MemberStatus.Up && cluster.State.Unreachable.Count == 0)
        {
            Interlocked.CompareExchange(ref _wokeAt, 0, wokeAt);
            return null;
        }
        return "This node was frozen longer than the failure detector tolerates; it waits to hear from the cluster again.";
    }

    /// <summary>Ends the ticker thread (the token source is left to the finalizer: the thread may still be waiting on it).</summary>
    public void Dispose() => _stop.Cancel();

    private static bool HasOtherMembers(Cluster cluster) => cluster.State.Members.Count > 1;

    private void Tick()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(Volatile.Read(ref _lastTick), now) > _freezeAfter && HasOtherMembers(_cluster))
                Volatile.Write(ref _wokeAt, now);
            Volatile.Write(ref _lastTick, now);
            token.WaitHandle.WaitOne(TickInterval);
        }
    }
}
