using System.Collections.Concurrent;
using System.Text.Json;
using Actors.Persistence.Journal;

namespace Actors.Persistence.Sql;

/// <summary>
/// The journal's display/replay copy of an event's tags: a JSON array, NULL when untagged. Public so that the read
/// journals, which read the same tables, parse it the same way.
/// </summary>
public static class TagsColumn
{
    // Most events carry one of a handful of single tags: their JSON is made once. Bounded, so that an application
    // with ever new tags cannot grow it without end (past the bound it just serializes each time).
    private const int MaxCached = 256;
    private static readonly ConcurrentDictionary<string, string> SingleTagJson = new(StringComparer.Ordinal);

    public static string? Write(string[] tags)
    {
        if (tags.Length == 0) return null;
        if (tags.Length > 1) return JsonSerializer.Serialize(tags);
        if (SingleTagJson.TryGetValue(tags[0], out var cached)) return cached;
        var json = JsonSerializer.Serialize(tags);
        if (SingleTagJson.Count < MaxCached) SingleTagJson.TryAdd(tags[0], json);
        return json;
    }

    // Replay reads the same few tag columns over and over: each distinct text is parsed once (bounded as above).
    private static readonly ConcurrentDictionary<string, IReadOnlyList<string>> Parsed = new(StringComparer.Ordinal);

    public static IReadOnlyList<string> Read(string? json)
    {
        if (string.IsNullOrEmpty(json)) return PersistentRepr.NoTags;
        if (Parsed.TryGetValue(json, out var cached)) return cached;
        IReadOnlyList<string> tags = JsonSerializer.Deserialize<string[]>(json) is { } array ? Array.AsReadOnly(array) : PersistentRepr.NoTags;
        if (Parsed.Count < MaxCached) Parsed.TryAdd(json, tags);
        return tags;
    }
}
