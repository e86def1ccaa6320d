using System.Text.Json;
using System.Text.Json.Nodes;

namespace Actors.Persistence.Serialization;

/// <summary>System.Text.Json with manifests from the registry. Decimals are written as exact JSON numbers.</summary>
public sealed class JsonEventSerializer(EventTypeRegistry registry, JsonSerializerOptions? options = null) : IEventSerializer
{
    private const int MaxUpcastSteps = 32;
    private readonly JsonSerializerOptions _options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.General);

    public EventTypeRegistry Registry => registry;

    public SerializedPayload Serialize(object payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var type = payload.GetType();
        try
        {
            return new SerializedPayload(registry.ManifestOf(type), JsonSerializer.SerializeToUtf8Bytes(payload, type, _options));
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
        {
            throw new EventSerializationException($"Cannot serialize {type.FullName}: {e.Message}", e);
        }
    }

    public object Deserialize(string manifest, ReadOnlySpan<byte> bytes)
    {
        if (registry.TryGetUpcaster(manifest, out _, out _))
            return DeserializeUpcast(manifest, JsonNode.Parse(bytes) ?? throw new EventSerializationException($"Stored '{manifest}' is JSON null."));

        var type = registry.TypeOf(manifest) ?? throw new EventSerializationException($"No type is known for manifest '{manifest}'.");
        return JsonSerializer.Deserialize(bytes, type, _options)
               ?? throw new EventSerializationException($"Stored '{manifest}' is JSON null.");
    }

    private object DeserializeUpcast(string manifest, JsonNode node)
    {
        for (var step = 0; registry.TryGetUpcaster(manifest, out var to, out var upcast); step++)
        {
            if (step == MaxUpcastSteps) throw new EventSerializationException($"Upcasting from '{manifest}' does not end.");
            node = upcast(node);
            manifest = to;
        }
        var type = registry.TypeOf(manifest) ?? throw new EventSerializationException($"No type is known for manifest '{manifest}'.");
        return node.Deserialize(type, _options) ?? throw new EventSerializationException($"Upcast '{manifest}' is JSON null.");
    }
}
