namespace Actors.Hosting.Hocon;

/// <summary>Loads included files for one top-level parse and detects include cycles.</summary>
internal sealed class HoconIncludeContext
{
    // The spec lets "include" omit the extension.
    private static readonly string[] ImplicitExtensions = [".conf", ".json"];

    private readonly List<string> _openFiles = [];

    public HoconObject Parse(string text, string? filePath, string[] includePrefix)
    {
        if (filePath is not null)
        {
            _openFiles.Add(Path.GetFullPath(filePath));
        }

        try
        {
            return HoconParser.ParseDocument(text, filePath, includePrefix, this);
        }
        finally
        {
            if (filePath is not null)
            {
                _openFiles.RemoveAt(_openFiles.Count - 1);
            }
        }
    }

    /// <returns>The included document, or null when a non-required file does not exist.</returns>
    public HoconObject? Include(string name, bool required, HoconOrigin directive, string[] includePrefix)
    {
        var baseDirectory = directive.FilePath is null
            ? Directory.GetCurrentDirectory()
            : Path.GetDirectoryName(Path.GetFullPath(directive.FilePath)) ?? Directory.GetCurrentDirectory();
        var requested = Path.GetFullPath(Path.Combine(baseDirectory, name));
        var path = FindFile(requested);
        if (path is null)
        {
            if (required)
            {
                throw new HoconParseException($"expected the required include '{name}' to exist at '{requested}' but it does not", directive);
            }

            return null;
        }

        if (_openFiles.Contains(path, StringComparer.Ordinal))
        {
            var chain = string.Join(" -> ", _openFiles.Append(path));
            throw new HoconParseException($"expected includes without cycles but found the cycle {chain}", directive);
        }

        return Parse(File.ReadAllText(path), path, includePrefix);
    }

    private static string? FindFile(string requested)
    {
        if (File.Exists(requested))
        {
            return requested;
        }

        if (Path.HasExtension(requested))
        {
            return null;
        }

        return ImplicitExtensions.Select(extension => requested + extension).FirstOrDefault(File.Exists);
    }
}
