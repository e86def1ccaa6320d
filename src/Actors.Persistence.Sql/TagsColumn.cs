using System.Text.Json;
using Actors.Persistence.Journal;

namespace Actors.Persistence.Sql;

/// <summary>The journal's display/replay copy of an event's tags: a JSON array, NULL when untagged.</summary>
internal static class TagsColumn
{
    public static string? Write(string[] tags) => tags.Length == 0 ? null : JsonSerializer.Serialize(tags);

    public static IReadOnlyList<string> Read(string? json) =>
        string.IsNullOrEmpty(json) ? PersistentRepr.NoTags : JsonSerializer.Deserialize<string[]>(json) ?? PersistentRepr.NoTags;
}
