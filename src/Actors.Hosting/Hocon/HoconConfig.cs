using System.Diagnostics.CodeAnalysis;

namespace Actors.Hosting.Hocon;

/// <summary>
/// A parsed and fully resolved HOCON document with typed accessors. Paths are dotted
/// (<c>bank.journal.provider</c>); segments containing dots can be quoted.
/// </summary>
public sealed partial class HoconConfig
{
    // Where this config sits in the original document, so errors from a sub-config name the full path.
    private readonly string _pathPrefix;

    private HoconConfig(HoconObject root, string pathPrefix)
    {
        Root = root;
        _pathPrefix = pathPrefix;
    }

    public static HoconConfig Empty { get; } = new(new HoconObject(new HoconOrigin(null, 1, 1)), string.Empty);

    public HoconObject Root { get; }

    /// <summary>Parses a file; includes are resolved relative to its directory.</summary>
    public static HoconConfig ParseFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        return Parse(File.ReadAllText(fullPath), fullPath);
    }

    /// <param name="sourcePath">File the text came from: used in error messages and as the base for includes.</param>
    public static HoconConfig Parse(string text, string? sourcePath = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = new HoconIncludeContext().Parse(text, sourcePath, []);
        new HoconResolver(root, Environment.GetEnvironmentVariable).Resolve();
        return new HoconConfig(root, string.Empty);
    }

    /// <summary>True when the path holds a value other than null.</summary>
    public bool HasPath(string path) => TryFind(path, out _);

    /// <summary>The node at the path, or null when nothing is there.</summary>
    public HoconValue? GetValue(string path)
    {
        HoconValue current = Root;
        foreach (var segment in HoconPath.Parse(path))
        {
            if (current is not HoconObject obj || !obj.TryGetValue(segment, out var child))
            {
                return null;
            }

            current = child;
        }

        return current;
    }

    public HoconConfig GetConfig(string path) => ToConfig(path, Require(path));

    public HoconConfig GetConfig(string path, HoconConfig defaultValue) =>
        TryFind(path, out var value) ? ToConfig(path, value) : defaultValue;

    public IReadOnlyList<HoconConfig> GetConfigList(string path)
    {
        var value = Require(path);
        if (value is not HoconList list)
        {
            throw new HoconWrongTypeException(FullPath(path), "a list of objects", value);
        }

        return [.. list.Items.Select((item, i) => item is HoconObject obj
            ? new HoconConfig(obj, $"{FullPath(path)}[{i}]")
            : throw new HoconWrongTypeException($"{FullPath(path)}[{i}]", "an object", item))];
    }

    public IReadOnlyList<string> GetStringList(string path) => ToStringList(path, Require(path));

    public IReadOnlyList<string> GetStringList(string path, IReadOnlyList<string> defaultValue) =>
        TryFind(path, out var value) ? ToStringList(path, value) : defaultValue;

    private bool TryFind(string path, [NotNullWhen(true)] out HoconValue? value)
    {
        value = GetValue(path);
        if (value is HoconScalar { Kind: HoconScalarKind.Null })
        {
            value = null;
        }

        return value is not null;
    }

    private HoconValue Require(string path) =>
        TryFind(path, out var value) ? value : throw new HoconMissingPathException(FullPath(path));

    private string FullPath(string path) => _pathPrefix.Length == 0 ? path : $"{_pathPrefix}.{path}";

    private HoconConfig ToConfig(string path, HoconValue value) =>
        value is HoconObject obj
            ? new HoconConfig(obj, FullPath(path))
            : throw new HoconWrongTypeException(FullPath(path), "an object", value);

    private string[] ToStringList(string path, HoconValue value)
    {
        if (value is not HoconList list)
        {
            throw new HoconWrongTypeException(FullPath(path), "a list of strings", value);
        }

        return [.. list.Items.Select((item, i) => item is HoconScalar { Kind: not HoconScalarKind.Null } scalar
            ? scalar.Text
            : throw new HoconWrongTypeException($"{FullPath(path)}[{i}]", "a string", item))];
    }
}
