using Actors.Core;
using Actors.TestKit.Internal;

namespace Actors.TestKit;

/// <summary>
/// An extra test actor with its own queue of received messages and the same expectations as <see cref="TestKit"/>.
/// Made by <see cref="TestKitBase.CreateTestProbe"/>; it lives in the kit's system (under /system) until the system stops.
/// </summary>
public sealed class TestProbe : TestKitBase
{
    internal TestProbe(TestKitShared shared, string name) => InitializeKit(shared, name);

    /// <summary>The probe's actor: pass it as a sender, a reply-to or a watcher.</summary>
    public IActorRef Ref => TestActor;

    /// <summary>Sends <paramref name="message"/> to the probe itself (it arrives in its queue), from <paramref name="sender"/>.</summary>
    public void Tell(object message, IActorRef? sender = null) => Ref.Tell(message, sender);

    public override string ToString() => $"TestProbe({Ref.Path})";
}
