using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Actors.Persistence.Serialization;

/// <summary>
/// Maps CLR types to stable manifests, so renaming a class never breaks stored events, and holds the
/// upcasters that turn an old stored shape into the current one.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly ConcurrentDictionary<Type, string> _manifests = new();
    private readonly ConcurrentDictionary<string, Type> _types = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Upcaster> _upcasters = new(StringComparer.Ordinal);

    private int _version;

    private sealed record Upcaster(string ToManifest, Func<JsonNode, JsonNode> Upcast);

    /// <summary>
    /// Changes whenever a mapping or an upcaster is added, so that a serializer's cache of what a manifest reads as
    /// (see <see cref="JsonEventSerializer"/>) can tell that it is stale.
    /// </summary>
    internal int Version => Volatile.Read(ref _version);

    public EventTypeRegistry Map<T>(string manifest) => Map(typeof(T), manifest);

    public EventTypeRegistry Map(Type type, string manifest)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(manifest);
        if (_types.TryGetValue(manifest, out var existing) && existing != type)
            throw new InvalidOperationException($"Manifest '{manifest}' is already mapped to {existing.FullName}.");
        _types[manifest] = type;
        _manifests[type] = manifest;
        Interlocked.Increment(ref _version);
        return this;
    }

    /// <summary>Rewrites JSON stored under <paramref name="fromManifest"/> into the shape of <paramref name="toManifest"/> when it is read.</summary>
    public EventTypeRegistry Upcast(string fromManifest, string toManifest, Func<JsonNode, JsonNode> upcast)
    {
        _upcasters[fromManifest] = new Upcaster(toManifest, upcast);
        Interlocked.Increment(ref _version);
        return this;
    }

    /// <summary>The mapped manifest, or the type's full name for types nobody mapped (fine for tests, fragile for production).</summary>
    public string ManifestOf(Type type) => _manifests.GetOrAdd(type, static t =>
        t.FullName ?? throw new EventSerializationException($"Type {t} has no name to store it under."));

    public Type? TypeOf(string manifest)
    {
        if (_types.TryGetValue(manifest, out var type)) return type;
        var resolved = Type.GetType(manifest) ?? FindLoadedType(manifest);
        if (resolved is not null) _types.TryAdd(manifest, resolved);
        return resolved;
    }

    internal bool TryGetUpcaster(string manifest, out string toManifest, out Func<JsonNode, JsonNode> upcast)
    {
        if (_upcasters.TryGetValue(manifest, out var u))
        {
            (toManifest, upcast) = (u.ToManifest, u.Upcast);
            return true;
        }
        (toManifest, upcast) = ("", static n => n);
        return false;
    }

    private static Type? FindLoadedType(string fullName)
    {
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            var type = assembly.GetType(fullName, throwOnError: false);
            if (type is not null) return type;
        }
        return null;
    }
}
