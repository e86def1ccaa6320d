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

public sealed class SerializerCacheSpecs
{
    [Fact]
    public void An_upcaster_registered_after_the_manifest_was_read_applies_from_then_on()
    {
        var registry = new EventTypeRegistry().Map<AmountChangedV1>("amount-changed.v1").Map<AmountChangedV2>("amount-changed.v2");
        var serializer = new JsonEventSerializer(registry);
        var stored = serializer.Serialize(new AmountChangedV1(12.34m));
        Assert.Equal(new AmountChangedV1(12.34m), serializer.Deserialize(stored.Manifest, stored.Bytes));   // cached as "read as V1"

        registry.Upcast("amount-changed.v1", "amount-changed.v2", json =>
        {
            json["Currency"] = "EUR";
            return json;
        });

        Assert.Equal(new AmountChangedV2(12.34m, "EUR"), serializer.Deserialize(stored.Manifest, stored.Bytes));
        Assert.Equal(new AmountChangedV2(12.34m, "EUR"), serializer.Deserialize(stored.Manifest, stored.Bytes));
    }

    [Fact]
    public void A_manifest_mapped_after_it_failed_to_resolve_is_read_as_the_mapped_type()
    {
        var registry = new EventTypeRegistry();
        var serializer = new JsonEventSerializer(registry);
        var bytes = new JsonEventSerializer(new EventTypeRegistry().Map<AmountChangedV1>("renamed.v1")).Serialize(new AmountChangedV1(1.5m)).Bytes;
        Assert.Throws<EventSerializationException>(() => serializer.Deserialize("renamed.v1", bytes));

        registry.Map<AmountChangedV1>("renamed.v1");

        Assert.Equal(new AmountChangedV1(1.5m), serializer.Deserialize("renamed.v1", bytes));
    }

    [Fact]
    public void Two_manifests_read_alternately_each_keep_their_type()
    {
        var registry = new EventTypeRegistry().Map<AmountChangedV1>("a.v1").Map<AmountChangedV2>("a.v2");
        var serializer = new JsonEventSerializer(registry);
        var v1 = serializer.Serialize(new AmountChangedV1(1m));
        var v2 = serializer.Serialize(new AmountChangedV2(2m, "EUR"));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(new AmountChangedV1(1m), serializer.Deserialize(v1.Manifest, v1.Bytes));
            Assert.Equal(new AmountChangedV2(2m, "EUR"), serializer.Deserialize(v2.Manifest, v2.Bytes));
        }
    }
}
