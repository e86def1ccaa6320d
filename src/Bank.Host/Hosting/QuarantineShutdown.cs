using Akka.Actor;
using Akka.Event;
using Akka.Remote;

namespace Bank.Host.Hosting;

/// <summary>
/// Shuts this node down when another node of its cluster has quarantined it. A node frozen (SIGSTOP, a paused VM) past
/// the failure detector is downed and removed by the others, which then refuse its associations for good; Akka.NET's
/// cluster does not act on that refusal, so on waking such a node may still see itself Up and, its split-brain resolver
/// finding the others unreachable, down them and carry on alone. Quarantined, it can never rejoin: it leaves the way a
/// downed node does (coordinated shutdown with the cluster-downing reason; the host exits when the actor system has
/// terminated), and <see cref="NodeGuard"/> refuses requests from the moment the shutdown starts.
/// </summary>
internal sealed class QuarantineShutdown : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public QuarantineShutdown()
    {
        Receive<ThisActorSystemQuarantinedEvent>(quarantined =>
        {
            _log.Warning("Node {0} has quarantined this node ({1}): it was removed from the cluster and cannot rejoin. Shutting down.",
                quarantined.RemoteAddress, quarantined.LocalAddress);
            CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.ClusterDowningReason.Instance);
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new QuarantineShutdown());

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(ThisActorSystemQuarantinedEvent));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
