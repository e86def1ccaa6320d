namespace Actors.Hosting.Hocon;

/// <summary>
/// HOCON's duplicate-key rule: an object merges into an earlier object, anything else replaces it.
/// </summary>
internal static class HoconMerge
{
    /// <summary>
    /// Parse-time assignment of <paramref name="incoming"/> over <paramref name="existing"/>. May merge
    /// into <paramref name="existing"/> in place, which is safe because nothing shares nodes before resolution.
    /// </summary>
    public static HoconValue Assign(HoconValue? existing, HoconValue incoming)
    {
        if (existing is null)
        {
            return incoming;
        }

        switch (incoming)
        {
            case HoconObject later when existing is HoconObject earlier:
                return AssignObject(later, earlier);

            case HoconObject later when existing is HoconPending:
                // Whether the earlier value is an object is only known after resolution, so defer the merge.
                return new HoconPending([later], later.Origin, fieldPath: null) { Previous = existing };

            case HoconPending pending:
                pending.Previous = pending.Previous is null ? existing : Assign(existing, pending.Previous);
                return pending;

            default:
                return incoming;
        }
    }

    /// <summary>Parse-time merge of <paramref name="later"/> into <paramref name="earlier"/>; returns <paramref name="earlier"/>.</summary>
    public static HoconObject AssignObject(HoconObject later, HoconObject earlier)
    {
        foreach (var (key, value) in later.Fields)
        {
            earlier.Set(key, Assign(earlier.GetOrNull(key), value));
        }

        return earlier;
    }

    /// <summary>Merge of two resolved objects into a new one; resolved nodes may be shared, so never mutate them.</summary>
    public static HoconObject Combine(HoconObject later, HoconObject earlier)
    {
        var result = new HoconObject(later.Origin);
        foreach (var (key, value) in earlier.Fields)
        {
            result.Set(key, value);
        }

        foreach (var (key, value) in later.Fields)
        {
            result.Set(key, value is HoconObject laterChild && result.GetOrNull(key) is HoconObject earlierChild
                ? Combine(laterChild, earlierChild)
                : value);
        }

        result.IsResolved = true;
        return result;
    }
}
