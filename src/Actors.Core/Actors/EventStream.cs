namespace Actors.Core;

/// <summary>System-wide publish/subscribe by message type (dead letters, unhandled messages, your own events).</summary>
public sealed class EventStream
{
    private readonly object _gate = new();
    private volatile (Type Channel, IActorRef Subscriber)[] _subscriptions = [];

    public void Subscribe(IActorRef subscriber, Type channel)
    {
        lock (_gate) _subscriptions = [.. _subscriptions, (channel, subscriber)];
    }

    public void Unsubscribe(IActorRef subscriber, Type? channel = null)
    {
        lock (_gate)
            _subscriptions = _subscriptions.Where(s => !(Equals(s.Subscriber, subscriber) && (channel is null || s.Channel == channel))).ToArray();
    }

    public void Publish(object @event)
    {
        var subscriptions = _subscriptions;
        if (subscriptions.Length == 0) return;
        var type = @event.GetType();
        foreach (var (channel, subscriber) in subscriptions)
        {
            if (channel.IsAssignableFrom(type)) subscriber.Tell(@event, null);
        }
    }
}
