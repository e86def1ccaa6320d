using System.Diagnostics.CodeAnalysis;

namespace Actors.Hosting.Hocon;

/// <summary>An object node; fields keep the order in which they were first defined.</summary>
public sealed class HoconObject : HoconValue
{
    private readonly OrderedDictionary<string, HoconValue> _fields = new(StringComparer.Ordinal);

    internal HoconObject(HoconOrigin origin)
        : base(origin)
    {
    }

    public IReadOnlyDictionary<string, HoconValue> Fields => _fields;

    public int Count => _fields.Count;

    internal bool IsResolved { get; set; }

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out HoconValue value) =>
        _fields.TryGetValue(key, out value);

    internal HoconValue? GetOrNull(string key) => _fields.TryGetValue(key, out var value) ? value : null;

    internal void Set(string key, HoconValue value) => _fields[key] = value;

    internal void Remove(string key) => _fields.Remove(key);

    internal override string Describe() => "an object";
}
