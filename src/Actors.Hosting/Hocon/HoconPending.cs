namespace Actors.Hosting.Hocon;

/// <summary>
/// A field value that depends on substitutions, kept as its concatenation parts until the whole
/// tree is known. <see cref="Previous"/> is the value it overrides: HOCON lets an undefined
/// <c>${?X}</c> fall back to it, a self-reference read it, and an object merge over it.
/// </summary>
internal sealed class HoconPending : HoconValue
{
    private HoconValue? _result;

    public HoconPending(IReadOnlyList<HoconValue> parts, HoconOrigin origin, string[]? fieldPath)
        : base(origin)
    {
        Parts = parts;
        FieldPath = fieldPath;
    }

    public IReadOnlyList<HoconValue> Parts { get; }

    /// <summary>Full path of the field holding this value; null inside lists where paths do not reach.</summary>
    public string[]? FieldPath { get; }

    public HoconValue? Previous { get; set; }

    public bool IsResolved { get; private set; }

    public HoconValue? Result => _result;

    public void Complete(HoconValue? result)
    {
        _result = result;
        IsResolved = true;
    }

    internal override string Describe() => "an unresolved value";
}
