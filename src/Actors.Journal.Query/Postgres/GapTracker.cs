namespace Actors.Journal.Query.Postgres;

/// <summary>
/// Decides how far a PostgreSQL reader may go in global ordering without ever skipping an event.
/// <para>
/// <b>The problem.</b> <c>journal.ordering</c> comes from a sequence: values are handed out in increasing order when
/// rows are inserted, but transactions commit in any order. A reader may see ordering 8 while 7 is missing; 7 may be
/// in a transaction still in flight (it will appear later: moving past it would lose it for good) or it may never
/// appear (rolled back, or the event was deleted: waiting for it would stall the reader forever).
/// </para>
/// <para>
/// <b>What the writers guarantee.</b> Every writing transaction owns an xid before it draws any ordering value: the
/// statement-level BEFORE INSERT trigger <c>actors_journal_xid</c> (see <see cref="PostgresTriggers"/>) calls
/// <c>pg_current_xact_id()</c>, and statement triggers fire before the statement evaluates any row (so before the
/// identity default draws <c>nextval</c>), for INSERT ... VALUES/SELECT and for COPY alike. Without it PostgreSQL
/// assigns the xid only when the first row is stored, after its ordering was drawn (with COPY, after up to a thousand
/// were drawn), and the argument below would not hold for the stock Akka.Persistence.Sql writer. The identity sequence
/// has CACHE 1 (the default), so a smaller value was drawn earlier in time. Xids are handed out in increasing order too.
/// </para>
/// <para>
/// <b>What a snapshot does not say.</b> <c>pg_current_snapshot()</c> lists as in progress only the xids below its xmax,
/// which is the latest <i>completed</i> xid + 1; a transaction whose xid is at or above xmax is in progress but listed
/// nowhere. That happens in the ordinary course of writing: writer A takes xid 100, writer B takes 101 and draws
/// ordering 7, A draws 8 and commits. A reader's snapshot now shows 8, not 7, xmax 101 and nothing in progress,
/// although B will commit 7. So "no xid in progress" in a snapshot proves nothing by itself.
/// </para>
/// <para>
/// <b>The argument.</b> Each read runs in one REPEATABLE READ transaction: its snapshot S (from
/// <c>pg_current_snapshot()</c>) and the visible orderings above the reader's position. Let H be an ordering visible in
/// S (or, for a current query, the end it took from an earlier snapshot) and o &lt; H an ordering not visible in S.
/// o was drawn before H; H's transaction committed before S was taken; o's writer W owned its xid before drawing o.
/// So W's xid was assigned before S. When the read meets such a gap it takes an xid of its own, N
/// (<c>pg_current_xact_id()</c> after S): every xid assigned before S is below N. A snapshot S' (S itself, or a later
/// one) in which no xid below N is in progress (none in its in-progress list, and its xmax at least N, so that no xid
/// below N is hidden above xmax) shows that every W has ended: an ordering &lt;= H still missing in S' is permanent
/// (rolled back, or deleted). Until then the gap may fill.
/// </para>
/// <para>
/// <b>The rule.</b> The reader delivers rows only up to the last ordering before the first gap that is not known to be
/// permanent (the "safe" bound). At such a gap it takes N and records (N, H) once, until resolved; the read whose
/// snapshot shows no xid below N in progress (often the same read: then a gap of deleted events costs no wait) marks
/// every gap up to H permanent and moves on. A gap that fills is simply read. The gap check looks at the global
/// orderings (all events, not only a tag's rows), because an in-flight event may belong to any tag.
/// </para>
/// <para>
/// Costs: a transaction that holds an xid for long (any transaction, not only journal writers, since xids cannot tell
/// them apart) delays readers at a permanent gap (a rollback, deleted events) until it ends; it never makes them skip.
/// A rolled-back write sends no notification, so readers notice it at their next poll. A reader takes one xid per
/// gap it has to wait for (not per read): read from the primary (a hot standby hands out no xids).
/// </para>
/// </summary>
internal sealed class GapTracker
{
    private (ulong XidBound, long Horizon)? _pending;

    /// <summary>Every missing ordering at or below this is known never to appear.</summary>
    public long PermanentUpTo { get; private set; }

    /// <summary>True while the reader waits for the transactions that may still fill a gap it met.</summary>
    public bool HasPendingGap => _pending is not null;

    /// <summary>
    /// The safe bound for one read. <paramref name="window"/> describes the visible orderings in
    /// (<paramref name="position"/>, <paramref name="end"/>] of that read, at most a scan size of them, all in
    /// <paramref name="snapshot"/>. <paramref name="end"/> is <see cref="long.MaxValue"/> for live queries; for a
    /// current query it is an ordering that was visible (committed) before this read.
    /// <paramref name="xidBound"/> is an xid the reader took after <paramref name="snapshot"/> (null: not taken yet);
    /// when the decision needs one, the result says so and the caller asks again with it, in the same transaction.
    /// </summary>
    public GapDecision Settle(PgSnapshot snapshot, long position, long end, OrderingWindow window, ulong? xidBound = null)
    {
        if (_pending is { } pending && !snapshot.AnyInProgressBelow(pending.XidBound))
        {
            PermanentUpTo = Math.Max(PermanentUpTo, pending.Horizon);
            _pending = null;
        }

        while (true)
        {
            var (safe, horizon) = Evaluate(position, end, window);
            if (horizon is not { } h) return new GapDecision(safe, Blocked: false, NeedsXidBound: false);
            // Still waiting for the writers of an earlier gap: they are below any newer bound too.
            if (_pending is not null) return new GapDecision(safe, Blocked: true, NeedsXidBound: false);
            if (xidBound is not { } bound) return new GapDecision(safe, Blocked: true, NeedsXidBound: true);
            if (snapshot.AnyInProgressBelow(bound))
            {
                _pending = (bound, h);
                return new GapDecision(safe, Blocked: true, NeedsXidBound: false);
            }
            // Nobody who could fill it is left: permanent. PermanentUpTo grows each time, so this ends.
            PermanentUpTo = Math.Max(PermanentUpTo, h);
        }
    }

    /// <summary>How far the window is safe with what is known to be permanent, and the horizon of the first doubtful gap.</summary>
    private (long Safe, long? Horizon) Evaluate(long position, long end, OrderingWindow window)
    {
        var safe = window.Count == 0 ? position : window.HighestVisible;
        foreach (var (before, after) in window.Gaps)
        {
            // Missing: before+1 .. after-1.
            if (after - 1 <= PermanentUpTo) continue;
            return (before, window.HighestVisible);
        }

        // A current query's end was visible before; if the window is complete and ends below it, the orderings above
        // the window's last one up to end are missing (deleted since): the same rule, with end as the visible ordering.
        if (end != long.MaxValue && !window.Full && safe < end)
            return end <= PermanentUpTo ? (end, null) : (safe, end);
        return (safe, null);
    }
}

/// <param name="Safe">Every ordering up to here is final.</param>
/// <param name="Blocked">A gap that may still fill stops the reader before the window's end (or before the query's end).</param>
/// <param name="NeedsXidBound">Ask again with an xid taken after the snapshot, in the same transaction.</param>
internal readonly record struct GapDecision(long Safe, bool Blocked, bool NeedsXidBound);

/// <summary>
/// The visible global orderings of one read above a position: how many (at most the scan size), the highest, and
/// each gap as the visible orderings on both sides (<c>Before</c> is the position for a gap right above it), ascending.
/// </summary>
internal sealed record OrderingWindow(int Count, bool Full, long HighestVisible, IReadOnlyList<(long Before, long After)> Gaps)
{
    public static OrderingWindow Empty { get; } = new(0, false, 0, []);
}
