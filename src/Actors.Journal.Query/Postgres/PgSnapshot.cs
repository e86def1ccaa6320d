using System.Globalization;

namespace Actors.Journal.Query.Postgres;

/// <summary>
/// A PostgreSQL snapshot as <c>pg_current_snapshot()::text</c> shows it: <c>xmin:xmax:xip,xip,…</c> (64-bit xids,
/// so no wraparound). <see cref="InProgress"/> holds the top-level transactions that were running when it was taken
/// and whose xid is below <see cref="Xmax"/>; running transactions with a higher xid are not listed.
/// </summary>
internal sealed class PgSnapshot
{
    private static readonly HashSet<ulong> None = [];

    private PgSnapshot(ulong xmin, ulong xmax, HashSet<ulong> inProgress)
    {
        Xmin = xmin;
        Xmax = xmax;
        InProgress = inProgress;
    }

    public ulong Xmin { get; }

    public ulong Xmax { get; }

    public IReadOnlySet<ulong> InProgress { get; }

    /// <summary>
    /// True when a transaction with an xid below <paramref name="bound"/> had not ended when this snapshot was taken:
    /// one listed in progress, or one at or above <see cref="Xmax"/> (the latest completed xid + 1), which a snapshot
    /// does not list. <paramref name="bound"/> must be an xid already handed out, so that every xid below it was too.
    /// </summary>
    public bool AnyInProgressBelow(ulong bound)
    {
        if (Xmax < bound) return true;
        foreach (var xid in InProgress)
        {
            if (xid < bound) return true;
        }
        return false;
    }

    public static PgSnapshot Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts.Length != 3) throw new FormatException($"Not a pg_snapshot: '{text}'.");
        var xip = parts[2].Length == 0 ? None : new HashSet<ulong>();
        if (parts[2].Length > 0)
        {
            foreach (var xid in parts[2].Split(','))
                xip.Add(ulong.Parse(xid, NumberStyles.None, CultureInfo.InvariantCulture));
        }
        return new PgSnapshot(
            ulong.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture),
            ulong.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture),
            xip);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Xmin}:{Xmax}:{string.Join(',', InProgress.Order())}");
}
