namespace Bank.ReadModels.Projections;

/// <summary>
/// Journal orderings From..To (inclusive) that the projection's stream jumped over while no row held them: a write
/// transaction still open (its event may carry the projection's tag), or a rolled-back one (a permanent hole).
/// </summary>
/// <param name="FirstSeen">When the projection first saw them missing (kept when the range splits).</param>
public readonly record struct JournalGap(long From, long To, DateTimeOffset FirstSeen)
{
    public long Count => To - From + 1;

    public bool Contains(long ordering) => ordering >= From && ordering <= To;
}

/// <summary>
/// The pending gaps of a projection, sorted by <see cref="JournalGap.From"/> and disjoint. Immutable: each change gives a
/// new set, so that readers (the offset waiters, the status) can take it without a lock.
/// </summary>
public sealed class GapSet
{
    public static GapSet Empty { get; } = new([]);

    private readonly JournalGap[] _gaps;

    private GapSet(JournalGap[] gaps) => _gaps = gaps;

    public IReadOnlyList<JournalGap> Gaps => _gaps;

    public int Count => _gaps.Length;

    public bool IsEmpty => _gaps.Length == 0;

    /// <summary>The number of orderings the gaps hold together.</summary>
    public long Orderings => _gaps.Sum(g => g.Count);

    public static GapSet From(IEnumerable<JournalGap> gaps)
    {
        var sorted = gaps.OrderBy(g => g.From).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].From <= sorted[i - 1].To)
                throw new ArgumentException($"Gaps overlap: {sorted[i - 1]} and {sorted[i]}.", nameof(gaps));
        }
        return sorted.Count == 0 ? Empty : new GapSet([.. sorted]);
    }

    public bool Contains(long ordering)
    {
        int low = 0, high = _gaps.Length - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var gap = _gaps[mid];
            if (ordering < gap.From) high = mid - 1;
            else if (ordering > gap.To) low = mid + 1;
            else return true;
        }
        return false;
    }

    /// <summary>This set with <paramref name="added"/> (new gaps, all above the ones held: they come from later stretches).</summary>
    public GapSet Add(IReadOnlyCollection<JournalGap> added) => added.Count == 0 ? this : From(_gaps.Concat(added));

    /// <summary>This set without <paramref name="orderings"/> (filled, or known not to be the projection's).</summary>
    public GapSet Remove(IEnumerable<long> orderings)
    {
        var removed = orderings.Where(Contains).Distinct().Order().ToList();
        if (removed.Count == 0) return this;
        var result = new List<JournalGap>(_gaps.Length + removed.Count);
        var r = 0;
        foreach (var gap in _gaps)
        {
            var from = gap.From;
            while (r < removed.Count && removed[r] < gap.From) r++;
            while (r < removed.Count && removed[r] <= gap.To)
            {
                if (removed[r] > from) result.Add(gap with { From = from, To = removed[r] - 1 });
                from = removed[r] + 1;
                r++;
            }
            if (from <= gap.To) result.Add(gap with { From = from });
        }
        return result.Count == 0 ? Empty : new GapSet([.. result]);
    }

    /// <summary>This set without whole gaps (given up).</summary>
    public GapSet Without(IReadOnlyCollection<JournalGap> dropped)
    {
        if (dropped.Count == 0) return this;
        var keep = _gaps.Where(g => !dropped.Contains(g)).ToArray();
        return keep.Length == 0 ? Empty : new GapSet(keep);
    }

    public override string ToString() => "[" + string.Join(", ", _gaps.Select(g => g.From == g.To ? $"{g.From}" : $"{g.From}..{g.To}")) + "]";
}
