namespace Actors.Persistence.Query.Tests;

/// <summary>The gap rule of the PostgreSQL reader on its own, with snapshots written by hand (xmin:xmax:in-progress).</summary>
public sealed class GapTrackerTests
{
    private const long Live = long.MaxValue;

    /// <summary>Visible orderings 1, 2, 4, 5 above position 0: 3 is missing.</summary>
    private static readonly OrderingWindow MissingThree = new(4, Full: false, HighestVisible: 5, Gaps: [(2, 4)]);

    [Fact]
    public void Snapshots_parse_with_and_without_transactions_in_progress()
    {
        var busy = PgSnapshot.Parse("100:105:100,103");
        Assert.Equal((100ul, 105ul), (busy.Xmin, busy.Xmax));
        Assert.Equal([100ul, 103ul], busy.InProgress.Order());
        Assert.Equal("100:105:100,103", busy.ToString());
        Assert.Empty(PgSnapshot.Parse("7:7:").InProgress);
        Assert.Throws<FormatException>(() => PgSnapshot.Parse("7:7"));
    }

    [Fact]
    public void Transactions_above_xmax_count_as_in_progress_although_no_snapshot_lists_them()
    {
        var quiet = PgSnapshot.Parse("101:101:");
        Assert.False(quiet.AnyInProgressBelow(101));
        Assert.True(quiet.AnyInProgressBelow(103)); // 101 and 102 were handed out and have not completed
        Assert.True(PgSnapshot.Parse("99:110:99").AnyInProgressBelow(100));
        Assert.False(PgSnapshot.Parse("99:110:99").AnyInProgressBelow(99));
    }

    [Fact]
    public void A_gap_is_permanent_at_once_when_no_xid_below_the_readers_own_is_in_progress()
    {
        var gaps = new GapTracker();
        var snapshot = PgSnapshot.Parse("101:101:");

        var first = gaps.Settle(snapshot, 0, Live, MissingThree);
        Assert.Equal(new GapDecision(2, Blocked: true, NeedsXidBound: true), first);

        // The reader's own xid is 101, the snapshot's xmax: nobody else holds one.
        Assert.Equal(new GapDecision(5, Blocked: false, NeedsXidBound: false), gaps.Settle(snapshot, 0, Live, MissingThree, 101));
        Assert.Equal(5, gaps.PermanentUpTo);
        Assert.False(gaps.HasPendingGap);
    }

    [Fact]
    public void A_writer_hidden_above_xmax_holds_the_gap_until_a_later_snapshot_shows_it_ended()
    {
        var gaps = new GapTracker();
        // Writer 101 drew ordering 3, writer 100 drew 5 and committed: xmax 101, nothing listed in progress.
        var snapshot = PgSnapshot.Parse("101:101:");
        Assert.Equal(new GapDecision(2, true, false), gaps.Settle(snapshot, 0, Live, MissingThree, 102));
        Assert.True(gaps.HasPendingGap);

        // 101 now listed as running (102, the earlier reader, completed): still blocked, and no new xid is asked for.
        Assert.Equal(new GapDecision(2, true, false), gaps.Settle(PgSnapshot.Parse("101:103:101"), 0, Live, MissingThree));

        // 101 ended and 3 is still missing: it was rolled back.
        Assert.Equal(new GapDecision(5, false, false), gaps.Settle(PgSnapshot.Parse("104:104:"), 0, Live, MissingThree));
        Assert.Equal(5, gaps.PermanentUpTo);
    }

    [Fact]
    public void A_gap_that_fills_is_read_and_a_later_gap_waits_for_its_own_writers()
    {
        var gaps = new GapTracker();
        Assert.True(gaps.Settle(PgSnapshot.Parse("50:60:50"), 0, Live, MissingThree, 60).Blocked);

        // 3 committed: no gap up to 5 any more, but 50 still runs and 7 is missing above 6.
        var filled = new OrderingWindow(6, false, 8, [(6, 8)]);
        Assert.Equal(new GapDecision(6, true, false), gaps.Settle(PgSnapshot.Parse("50:61:50"), 0, Live, filled));

        // 50 ended: the first record (up to 5) resolves; 7 is above it, so it needs its own xid bound.
        var after = gaps.Settle(PgSnapshot.Parse("61:65:61"), 5, Live, new OrderingWindow(3, false, 8, [(6, 8)]));
        Assert.Equal(new GapDecision(6, true, true), after);
        Assert.Equal(5, gaps.PermanentUpTo);
    }

    [Fact]
    public void A_current_query_moves_up_to_its_end_over_deleted_orderings_only_when_nobody_can_fill_them()
    {
        // End 9 was visible when the query started; now only 1 and 2 are (3..9 deleted since, or in flight).
        var window = new OrderingWindow(2, false, 2, []);
        var busy = new GapTracker();
        Assert.Equal(new GapDecision(2, true, false), busy.Settle(PgSnapshot.Parse("40:41:40"), 0, 9, window, 41));

        var quiet = new GapTracker();
        Assert.Equal(new GapDecision(9, false, false), quiet.Settle(PgSnapshot.Parse("41:41:"), 0, 9, window, 41));
    }
}
