using Akka.Event;
using Akka.Persistence.Query;

namespace Bank.ReadModels.Projections;

public sealed partial class Projection
{
    // The first tagged ordering after the offset and when the gap checks first saw it there (only the writer stage touches it).
    private (long Ordering, DateTimeOffset Since)? _stallCandidate;

    /// <summary>
    /// The timer's work, between batches: looks up the pending gaps again (a row that appeared carrying the tag is fetched
    /// and applied, any other row closes its ordering, a gap missing longer than <see cref="ProjectionSettings.GapGiveUpAfter"/>
    /// is dropped with a warning), completes a rebuild that has nothing of its stream left, and notices a stalled stream.
    /// </summary>
    /// <returns>False when the stream must be subscribed again from the stored offset.</returns>
    private async Task<bool> CheckGapsAsync(CancellationToken cancellationToken)
    {
        var keepGoing = await CheckForwardAsync(cancellationToken).ConfigureAwait(false);
        var gaps = PendingGaps;
        if (gaps.IsEmpty) return keepGoing;

        var now = _time.GetUtcNow();
        var checkedGaps = gaps.Gaps.Take(Settings.MaxGapsPerCheck).ToList();
        var present = await _database.ReadAsync(async (session, ct) =>
        {
            var rows = new List<PresentRow>();
            foreach (var gap in checkedGaps) rows.AddRange(await _journal.PresentAsync(session, Tag, gap.From, gap.To, ct).ConfigureAwait(false));
            return rows;
        }, cancellationToken).ConfigureAwait(false);
        var lastChecked = checkedGaps[^1].To;
        var expired = gaps.Remove(present.Select(p => p.Ordering)).Gaps
            .Any(g => g.From <= lastChecked && now - g.FirstSeen >= Settings.GapGiveUpAfter);
        if (present.Count == 0 && !expired) return keepGoing;

        var fetched = new List<EventEnvelope>();
        foreach (var row in present)
        {
            if (row.Tagged is { } tagged) fetched.AddRange(await FetchAsync(tagged, cancellationToken).ConfigureAwait(false));
        }
        fetched.Sort((a, b) => ProjectionSource.OrderingOf(a).CompareTo(ProjectionSource.OrderingOf(b)));

        var offset = Offset;
        var (events, backfilled, after, dropped) = await _database.InTransactionAsync(async (session, ct) =>
        {
            var (complete, filled) = fetched.Count == 0 ? (fetched, 0) : await FillSequenceHolesAsync(session, fetched, ct).ConfigureAwait(false);
            if (complete.Count > 0) await _handler.HandleAsync(session, complete, ct).ConfigureAwait(false);
            var remaining = gaps.Remove(present.Select(p => p.Ordering)).Remove(complete.Select(ProjectionSource.OrderingOf));
            var giveUp = remaining.Gaps.Where(g => g.From <= lastChecked && now - g.FirstSeen >= Settings.GapGiveUpAfter).ToList();
            remaining = remaining.Without(giveUp);
            // The same offset: only checks that no other instance (or a rebuild) moved it meanwhile.
            await _offsets.AdvanceAsync(session, offset, offset, now, ct).ConfigureAwait(false);
            await _offsets.WriteGapsAsync(session, remaining, ct).ConfigureAwait(false);
            return (complete, filled, remaining, giveUp);
        }, cancellationToken).ConfigureAwait(false);

        Committed(offset, after, events.Count, lastEventAt: null);
        if (events.Count > 0)
        {
            Log(LogLevel.WarningLevel, $"Applied {events.Count} event(s) that the read journal had skipped (journal ordering(s) " +
                $"{string.Join(", ", events.Select(ProjectionSource.OrderingOf))}{(backfilled > 0 ? $", {backfilled} of them missing before later events of their persistence id" : "")}).");
        }
        foreach (var gap in dropped)
        {
            Log(LogLevel.WarningLevel, $"Gave up waiting for journal ordering(s) {gap.From}..{gap.To}, missing since {gap.FirstSeen:O}: " +
                "a write that was rolled back leaves such a permanent hole. An event written there later would not be applied.");
        }
        return keepGoing;
    }

    /// <summary>
    /// Looks past the offset: a rebuild with nothing of its stream left up to its target completes (the journal may end
    /// with events of other tags); a tagged event after the offset that stays undelivered longer than
    /// <see cref="ProjectionSettings.StalledStreamTimeout"/> means the read journal skipped it with nothing of the tag
    /// after it, so the stream must be subscribed again.
    /// </summary>
    private async Task<bool> CheckForwardAsync(CancellationToken cancellationToken)
    {
        var offset = Offset;
        var next = await _database.ReadAsync(async (session, ct) =>
        {
            try
            {
                return await _journal.NextTaggedAsync(session, Tag, offset, long.MaxValue, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (session.Database.IsMissingTable(e))
            {
                return null; // the journal has not created its tables yet: nothing to wait for
            }
        }, cancellationToken).ConfigureAwait(false);

        string? line = null;
        lock (_statusGate)
        {
            if (_rebuild is { Completed: false } rebuild && (next is null || next > rebuild.TargetOffset)) line = CompleteRebuild(rebuild);
        }
        if (line is not null) Log(LogLevel.InfoLevel, line);

        var now = _time.GetUtcNow();
        if (next is not { } ordering)
        {
            _stallCandidate = null;
            return true;
        }
        if (_stallCandidate is not { } candidate || candidate.Ordering != ordering)
        {
            _stallCandidate = (ordering, now);
            return true;
        }
        if (now - candidate.Since < Settings.StalledStreamTimeout) return true;
        _stallCandidate = null;
        Log(LogLevel.WarningLevel, $"The tagged event at journal ordering {ordering} has been in the journal for {(now - candidate.Since).TotalSeconds:0.#} s " +
            $"without coming through the stream (the read journal skipped it): subscribing again from the stored offset {offset}.");
        return false;
    }
}
