using System.Threading.Channels;
using Actors.Core;

namespace Actors.TestKit.Internal;

/// <summary>One message a probe received, with its sender.</summary>
internal sealed record Envelope(object Message, IActorRef Sender);

/// <summary>Asks a probe actor to watch or unwatch an actor: death watch is done from inside an actor only.</summary>
internal sealed record WatchRequest(IActorRef Target, bool Watch);

/// <summary>
/// The actor behind a test probe: a real actor (so it can watch others and be replied to) that hands every
/// message it gets to the test through a channel. It handles <see cref="Terminated"/> like any other message.
/// </summary>
internal sealed class ProbeActor(ChannelWriter<Envelope> queue) : ActorBase
{
    protected override bool Receive(object message)
    {
        if (message is WatchRequest request)
        {
            if (request.Watch) Context.Watch(request.Target);
            else Context.Unwatch(request.Target);
            return true;
        }
        queue.TryWrite(new Envelope(message, Sender));
        return true;
    }
}
