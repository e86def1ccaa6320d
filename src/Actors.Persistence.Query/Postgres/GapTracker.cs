namespace Actors.Persistence.Query;

/// <summary>
/// Decides how far a PostgreSQL reader may go in global ordering without ever skipping an event.
/// <para>
/// <b>The problem.</b> <c>journal.ordering</c> comes from a sequence: values are handed out in increasing order when
/// rows are inserted, but transactions commit in any order. A reader may see ordering 8 while 7 is missing; 7 may be
/// in a transaction still in flight (it will appear later: moving past it would lose it for good) or it may never
/// appear (rolled back, or the event was deleted: waiting for it would stall the reader forever).
/// </para>
/// <para>
/// <b>What the journal guarantees.</b> Every journal write transaction runs <c>SELECT pg_current_xact_id()</c> before it
/// inserts, so it owns an xid before it draws any ordering value. The identity sequence has CACHE 1 (the default), so
/// a smaller value was drawn earlier in time.
/// </para>
/// <para>
/// <b>The argument.</b> Each read runs in one REPEATABLE READ transaction and takes <c>pg_current_snapshot()</c> (the
/// transaction's snapshot S: xmin, xmax, and xip, the xids in progress) together with the visible orderings above the
/// reader's position. Let H be an ordering visible in S and o &lt; H an ordering not visible in S. o was drawn before H;
/// H's transaction committed before S was taken; o's writer W owned its xid before drawing o. So W's xid is below
/// S.xmax, and in S W has either ended (committed: o would be visible unless deleted since; or rolled back) or W is
/// in progress, i.e. its xid is in S.xip. Hence:
/// (1) if S.xip is empty, every ordering below the highest visible one is final: a missing one is permanent;
/// (2) otherwise, remember S.xip and H. At a later snapshot S' in which none of those xids is in progress any more,
/// every W that could hold a missing o &lt;= H has ended, so an ordering &lt;= H still missing in S' is permanent.
/// </para>
/// <para>
/// <b>The rule.</b> The reader delivers rows only up to the last ordering before the first gap that is not known to be
/// permanent (the "safe" bound). At such a gap it records the in-progress xids and the highest visible ordering of that
/// read (once, until they resolve); a later read whose snapshot no longer lists any of them marks every gap up to that
/// ordering permanent and moves on. A gap that fills is simply read. The gap check looks at the global orderings
/// (all events, not only a tag's rows), because an in-flight event may belong to any tag.
/// </para>
/// <para>
/// Costs: a transaction that holds an xid for long (any transaction, not only journal writers, since the snapshot
/// cannot tell them apart) delays readers at a permanent gap (a rollback, deleted events) until it ends; it never
/// makes them skip. A rolled-back write sends no notification, so readers notice it at their next poll. Snapshots of
/// a hot standby do not list in-progress xids: read from the primary.
/// </para>
/// </summary>
internal sealed class GapTracker
{
    private IReadOnlySet<ulong>? _pendingInProgress;
    private long _pendingHorizon;

    /// <summary>Every missing ordering at or below this is known never to appear.</summary>
    public long PermanentUpTo { get; private set; }

    /// <summary>True while the reader waits for the transactions it saw in flight at a gap.</summary>
    public bool HasPendingGap => _pendingInProgress is not null;

    /// <summary>
    /// The safe bound for one read. <paramref name="window"/> describes the visible orderings in
    /// (<paramref name="position"/>, <paramref name="end"/>] of that read, at most a scan size of them, all in
    /// <paramref name="snapshot"/>. <paramref name="end"/> is <see cref="long.MaxValue"/> for live queries; for a
    /// current query it is an ordering that was visible (committed) before this read.
    /// Returns the highest ordering up to which every ordering is final, and whether a gap blocks the way before
    /// the window's end (or before <paramref name="end"/>).
    /// </summary>
    public (long Safe, bool Blocked) Settle(PgSnapshot snapshot, long position, long end, OrderingWindow window)
    {
        if (_pendingInProgress is not null && !snapshot.AnyInProgress(_pendingInProgress))
        {
            PermanentUpTo = Math.Max(PermanentUpTo, _pendingHorizon);
            _pendingInProgress = null;
        }

        var nothingInFlight = snapshot.InProgress.Count == 0;
        var safe = window.Count == 0 ? position : window.HighestVisible;
        long? blockedHorizon = null;
        foreach (var (before, after) in window.Gaps)
        {
            // Missing: before+1 .. after-1.
            if (nothingInFlight || after - 1 <= PermanentUpTo) continue;
            safe = before;
            blockedHorizon = window.HighestVisible;
            break;
        }

        // A current query's end was visible before; if the window is complete and ends below it, the orderings above
        // the window's last one up to end are missing (deleted since): the same rule, with end as the visible ordering.
        if (blockedHorizon is null && end != long.MaxValue && !window.Full && safe < end)
        {
            if (nothingInFlight || end <= PermanentUpTo) safe = end;
            else blockedHorizon = end;
        }

        if (blockedHorizon is { } horizon && _pendingInProgress is null)
        {
            _pendingInProgress = snapshot.InProgress;
            _pendingHorizon = horizon;
        }
        return (safe, blockedHorizon is not null);
    }
}

/// <summary>
/// The visible global orderings of one read above a position: how many (at most the scan size), the highest, and
/// each gap as the visible orderings on both sides (<c>Before</c> is the position for a gap right above it), ascending.
/// </summary>
internal sealed record OrderingWindow(int Count, bool Full, long HighestVisible, IReadOnlyList<(long Before, long After)> Gaps)
{
    public static OrderingWindow Empty { get; } = new(0, false, 0, []);
}
