namespace Actors.Hosting.Hocon;

/// <summary>A <c>${path}</c> or <c>${?path}</c> reference; exists only until substitutions are resolved.</summary>
internal sealed class HoconSubstitution : HoconValue
{
    public HoconSubstitution(string[] path, string[] writtenPath, bool isOptional, bool isSelfReference, HoconOrigin origin)
        : base(origin)
    {
        Path = path;
        WrittenPath = writtenPath;
        IsOptional = isOptional;
        IsSelfReference = isSelfReference;
    }

    /// <summary>The path from the configuration root (prefixed when the file was included inside an object).</summary>
    public string[] Path { get; }

    /// <summary>The path as written in the file; also the environment variable name.</summary>
    public string[] WrittenPath { get; }

    public bool IsOptional { get; }

    /// <summary>Set for <c>+=</c>, which always refers to the field's own previous value.</summary>
    public bool IsSelfReference { get; }

    public string PathText => HoconPath.Format(WrittenPath);

    public string Display => IsOptional ? $"${{?{PathText}}}" : $"${{{PathText}}}";

    internal override string Describe() => $"substitution {Display}";
}
