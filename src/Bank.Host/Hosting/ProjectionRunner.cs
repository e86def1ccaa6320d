using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Bank.Actors.ReadSide;
using Bank.ReadModels.Projections;

namespace Bank.Host.Hosting;

/// <summary>
/// Runs the read side's projections on exactly one node of the cluster: it is the cluster singleton
/// <see cref="ProjectionsSingleton.Name"/> (on the oldest node; a single node is a cluster of one), so it starts the
/// projections when it starts and stops them when it is handed over or its node leaves. Every node's endpoints ask it,
/// through the singleton's proxy, for a projection's status and to rebuild one. A projection keeps its offset in the read
/// model's transaction, so whoever runs it next goes on from there.
/// </summary>
/// <remarks>
/// When a node dies the singleton starts on the next oldest once the dead node is downed; a batch the dead node left in
/// flight was rolled back with its connection. Were two instances ever to overlap (a paused node that has not yet learnt it
/// was downed), the offset update of each batch checks the offset it started from: one of them rolls back and retries.
/// </remarks>
internal sealed class ProjectionRunner : ReceiveActor, IWithTimers
{
    /// <summary>The singleton manager sends this before the hand-over: stop the projections (a batch in flight commits or rolls back), then stop.</summary>
    public sealed class Stop
    {
        public static readonly Stop Instance = new();

        private Stop()
        {
        }
    }

    private sealed record Started;

    private sealed record StartFailed(Exception Cause);

    private sealed record Stopped;

    private sealed record RetryStart;

    private static readonly TimeSpan RetryStartAfter = TimeSpan.FromSeconds(2);

    private readonly Func<BankReadSide> _resolveReadSide;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _node;
    private BankReadSide? _readSide;
    private Task _starting = Task.CompletedTask;
    private bool _stopped;

    public ProjectionRunner(Func<BankReadSide> readSide)
    {
        _resolveReadSide = readSide;
        _node = Cluster.Get(Context.System).SelfAddress.ToString();

        Receive<Started>(_ => _log.Info("The projections run on this node ({0}).", _node));
        Receive<StartFailed>(failed =>
        {
            if (_stopped) return; // handed over meanwhile: the next node starts them
            _log.Warning(failed.Cause, "The projections could not start on this node; trying again in {0} s.", RetryStartAfter.TotalSeconds);
            Timers.StartSingleTimer(nameof(RetryStart), new RetryStart(), RetryStartAfter);
        });
        Receive<RetryStart>(_ =>
        {
            if (!_stopped) StartProjections();
        });
        Receive<GetProjectionStatus>(request => Answer(request.Name, (projection, ct) => projection.GetStatusAsync(ct)));
        Receive<RebuildProjection>(request => Answer(request.Name, async (projection, ct) =>
        {
            await projection.RebuildAsync(ct).ConfigureAwait(false);
            return await projection.GetStatusAsync(ct).ConfigureAwait(false);
        }));
        Receive<Stop>(_ =>
        {
            Timers.CancelAll();
            StopProjections().PipeTo(Self, success: () => new Stopped(), failure: _ => new Stopped());
        });
        Receive<Stopped>(_ => Context.Stop(Self));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Func<BankReadSide> readSide) => Akka.Actor.Props.Create(() => new ProjectionRunner(readSide));

    protected override void PreStart() => StartProjections();

    /// <summary>Stopped without the hand-over message (the system terminates, the actor failed): stop the projections anyway.</summary>
    protected override void PostStop()
    {
        if (!_stopped) _ = StopProjections();
    }

    private BankReadSide ReadSide => _readSide ??= _resolveReadSide();

    private void StartProjections()
    {
        var readSide = ReadSide;
        // The read side's hosted service creates the tables first (and waits for the journal's); only then may they run.
        _starting = readSide.Initialized.ContinueWith(_ => readSide.Projections.StartAsync(), TaskScheduler.Default).Unwrap();
        _starting.PipeTo(Self, success: () => new Started(), failure: e => new StartFailed(e));
    }

    /// <summary>After a start under way, so that a start never outlives the stop.</summary>
    private Task StopProjections()
    {
        _stopped = true;
        var projections = ReadSide.Projections;
        return _starting.ContinueWith(_ => projections.StopAsync(), TaskScheduler.Default).Unwrap();
    }

    private void Answer(string name, Func<Projection, CancellationToken, Task<ProjectionStatus>> work)
    {
        if (!ReadSide.Projections.TryGet(name, out var projection))
        {
            Sender.Tell(new ProjectionReply.Failed(name, NotFound: true, $"No projection is named '{name}'."));
            return;
        }
        var node = _node;
        work(projection, CancellationToken.None).PipeTo(Sender,
            success: status => ToReply(node, status),
            failure: e => new ProjectionReply.Failed(name, NotFound: false, $"{e.GetType().Name}: {e.Message}"));
    }

    public static ProjectionReply.Status ToReply(string node, ProjectionStatus status) => new(
        node, status.Name, status.State.ToString(), status.Offset, status.HighestOffset, status.EventsBehind, status.SecondsBehind,
        status.LastEventTimestamp, status.LastError, status.LastErrorAt, status.Restarts, status.EventsHandled, status.PendingGaps,
        status.Rebuild is { } rebuild
            ? new RebuildStatus(rebuild.StartedAt, rebuild.TargetOffset, rebuild.EventsDone, rebuild.Offset, rebuild.EventsPerSecond, rebuild.CompletedAt)
            : null);
}
