using Actors.Core;

namespace Actors.TestKit.Tests;

/// <summary>Replies to every message with the message itself.</summary>
internal sealed class EchoActor : ReceiveActor
{
    public EchoActor() => ReceiveAny(m => Sender.Tell(m, Self));
}

/// <summary>Does nothing with its messages.</summary>
internal sealed class SilentActor : ReceiveActor
{
    public SilentActor() => ReceiveAny(_ => { });
}

internal sealed record Ping(int N);
internal sealed record Pong(int N);
