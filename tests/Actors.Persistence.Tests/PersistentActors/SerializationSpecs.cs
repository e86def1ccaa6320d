using System.Text.Json.Nodes;
using Actors.Persistence.Serialization;

namespace Actors.Persistence.Tests.PersistentActors;

public sealed record AmountChangedV1(decimal Amount);
public sealed record AmountChangedV2(decimal Amount, string Currency);

public sealed class SerializationSpecs
{
    [Fact]
    public void An_event_written_as_v1_recovers_as_v2_through_an_upcaster()
    {
        var registry = new EventTypeRegistry()
            .Map<AmountChangedV1>("amount-changed.v1")
            .Map<AmountChangedV2>("amount-changed.v2")
            .Upcast("amount-changed.v1", "amount-changed.v2", json =>
            {
                json["Currency"] = "EUR";
                return json;
            });
        var serializer = new JsonEventSerializer(registry);

        var stored = serializer.Serialize(new AmountChangedV1(12.34m));
        Assert.Equal("amount-changed.v1", stored.Manifest);

        var read = serializer.Deserialize(stored.Manifest, stored.Bytes);
        Assert.Equal(new AmountChangedV2(12.34m, "EUR"), read);
    }

    [Fact]
    public void The_manifest_is_the_mapped_name_not_the_class_name()
    {
        var serializer = new JsonEventSerializer(new EventTypeRegistry().Map<AmountChangedV2>("money.v2"));
        var stored = serializer.Serialize(new AmountChangedV2(1m, "EUR"));
        Assert.Equal("money.v2", stored.Manifest);
        Assert.DoesNotContain(nameof(AmountChangedV2), stored.Manifest);
    }

    [Fact]
    public void Decimals_round_trip_exactly()
    {
        var serializer = new JsonEventSerializer(new EventTypeRegistry());
        var value = new AmountChangedV1(0.1m + 0.2m);
        var stored = serializer.Serialize(value);
        Assert.Contains("0.3", JsonNode.Parse(stored.Bytes)!.ToJsonString());
        Assert.Equal(0.3m, ((AmountChangedV1)serializer.Deserialize(stored.Manifest, stored.Bytes)).Amount);
    }

    [Fact]
    public void An_unserializable_event_throws_EventSerializationException()
    {
        var serializer = new JsonEventSerializer(new EventTypeRegistry());
        Assert.Throws<EventSerializationException>(() => serializer.Serialize(new Unserializable(() => { })));
    }
}
