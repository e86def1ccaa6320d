using Actors.Persistence.Serialization;

namespace Actors.Persistence.Tck;

/// <summary>The ordinary event of the TCK.</summary>
public sealed record TckEvent(string Text, int Number);

/// <summary>An event whose decimal must come back exactly (value and scale).</summary>
public sealed record TckMoney(decimal Amount, string Currency);

/// <summary>The ordinary snapshot of the TCK.</summary>
public sealed record TckSnapshot(string State, int Version, decimal Balance);

/// <summary>Cannot be serialized to JSON: it has a delegate-typed property.</summary>
public sealed class TckUnserializableEvent
{
    public string Name { get; init; } = "has a delegate";
    public Action Callback { get; init; } = static () => { };
}

/// <summary>Cannot be serialized to JSON: it refers to itself.</summary>
public sealed class TckSelfReferencingEvent
{
    public TckSelfReferencingEvent() => Self = this;

    public string Name { get; init; } = "refers to itself";
    public TckSelfReferencingEvent Self { get; set; }
}

/// <summary>The serializer the specs use unless a runner overrides <c>CreateSerializer</c>.</summary>
public static class TckSerialization
{
    public const string EventManifest = "tck.event";
    public const string MoneyManifest = "tck.money";
    public const string SnapshotManifest = "tck.snapshot";

    public static EventTypeRegistry CreateRegistry() => new EventTypeRegistry()
        .Map<TckEvent>(EventManifest)
        .Map<TckMoney>(MoneyManifest)
        .Map<TckSnapshot>(SnapshotManifest);

    public static IEventSerializer CreateSerializer() => new JsonEventSerializer(CreateRegistry());
}
