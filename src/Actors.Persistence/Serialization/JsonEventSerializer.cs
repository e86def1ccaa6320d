using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Actors.Persistence.Serialization;

/// <summary>System.Text.Json with manifests from the registry. Decimals are written as exact JSON numbers.</summary>
/// <remarks>
/// What a manifest reads as (its type's <see cref="JsonTypeInfo"/>, or "through the upcasters") is looked up once and
/// cached: a replay deserializes the same few manifests over and over. A cached answer is used only while the
/// registry is unchanged; a mapping or upcaster added later is honoured from then on.
/// </remarks>
public sealed class JsonEventSerializer(EventTypeRegistry registry, JsonSerializerOptions? options = null) : IEventSerializer
{
    private const int MaxUpcastSteps = 32;

    // Bounded like the registry's own lookups would be in practice (one entry per manifest ever read); past the bound
    // an unknown flood of manifests is resolved each time instead of growing the cache.
    private const int MaxCachedManifests = 1024;

    private readonly JsonSerializerOptions _options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.General);
    private readonly ConcurrentDictionary<string, ManifestReader> _readers = new(StringComparer.Ordinal);

    /// <summary>How one manifest is read, valid for one version of the registry. <see cref="TypeInfo"/> is null when upcasters apply.</summary>
    private sealed class ManifestReader(int registryVersion, JsonTypeInfo? typeInfo)
    {
        public int RegistryVersion { get; } = registryVersion;
        public JsonTypeInfo? TypeInfo { get; } = typeInfo;
    }

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
        var reader = ReaderFor(manifest);
        if (reader.TypeInfo is null)
            return DeserializeUpcast(manifest, JsonNode.Parse(bytes) ?? throw new EventSerializationException($"Stored '{manifest}' is JSON null."));

        return JsonSerializer.Deserialize(bytes, reader.TypeInfo)
               ?? throw new EventSerializationException($"Stored '{manifest}' is JSON null.");
    }

    private ManifestReader ReaderFor(string manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var version = registry.Version;
        if (_readers.TryGetValue(manifest, out var cached) && cached.RegistryVersion == version) return cached;

        // Resolved against the registry as of `version` (read first): a change made meanwhile makes it stale at once.
        JsonTypeInfo? typeInfo = null;
        if (!registry.TryGetUpcaster(manifest, out _, out _))
        {
            var type = registry.TypeOf(manifest) ?? throw new EventSerializationException($"No type is known for manifest '{manifest}'.");
            // What the first Serialize/Deserialize call would do anyway: fixes the options and their default resolver.
            if (!_options.IsReadOnly) _options.MakeReadOnly(populateMissingResolver: true);
            typeInfo = _options.GetTypeInfo(type);
        }
        var reader = new ManifestReader(version, typeInfo);
        if (_readers.Count < MaxCachedManifests || _readers.ContainsKey(manifest)) _readers[manifest] = reader;
        return reader;
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
