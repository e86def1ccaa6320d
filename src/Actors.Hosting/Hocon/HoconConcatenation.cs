namespace Actors.Hosting.Hocon;

/// <summary>Joins the parts of a value written side by side: <c>foo bar</c>, <c>${host}":"${port}</c>, <c>{a=1} {b=2}</c>.</summary>
internal static class HoconConcatenation
{
    /// <param name="parts">Values and whitespace gaps; null marks an undefined optional substitution.</param>
    /// <param name="mergeObjects">Merges the later object (first argument) over the earlier one.</param>
    /// <returns>The joined value, or null when nothing but undefined substitutions remained.</returns>
    public static HoconValue? Join(IReadOnlyList<HoconValue?> parts, Func<HoconObject, HoconObject, HoconObject> mergeObjects)
    {
        var present = parts.OfType<HoconValue>().ToList();
        while (present.Count > 0 && present[0] is HoconGap)
        {
            present.RemoveAt(0);
        }

        while (present.Count > 0 && present[^1] is HoconGap)
        {
            present.RemoveAt(present.Count - 1);
        }

        if (present.Count == 0)
        {
            return null;
        }

        if (present.Count == 1)
        {
            return present[0];
        }

        var values = present.Where(p => p is not HoconGap).ToList();
        if (values.All(v => v is HoconObject))
        {
            return values.Cast<HoconObject>().Aggregate((earlier, later) => mergeObjects(later, earlier));
        }

        if (values.All(v => v is HoconList))
        {
            var joined = new HoconList(values[0].Origin);
            joined.ReplaceItems(values.Cast<HoconList>().SelectMany(list => list.Items));
            return joined;
        }

        var nonScalar = values.FirstOrDefault(v => v is not HoconScalar);
        if (nonScalar is not null)
        {
            throw new HoconParseException(
                $"expected values of one kind to concatenate but found {nonScalar.Describe()} next to other values",
                nonScalar.Origin);
        }

        var text = string.Concat(present.Select(p => p is HoconGap gap ? gap.Text : ((HoconScalar)p).Text));
        return new HoconScalar(text, HoconScalarKind.String, present[0].Origin);
    }
}
