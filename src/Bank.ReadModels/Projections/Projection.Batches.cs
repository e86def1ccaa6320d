using System.Globalization;
using Akka;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;

namespace Bank.ReadModels.Projections;

public sealed partial class Projection
{
    /// <summary>
    /// What one transaction applies: the events in order, and the gaps to store with the offset; and the journal's highest
    /// ordering when the batch was planned.
    /// </summary>
    private sealed record Plan(List<EventEnvelope> Events, GapSet Gaps, int Skipped, int Backfilled, IReadOnlyList<(long From, long To)> NewGaps,
        long JournalHighest);

    /// <summary>
    /// Applies a batch of the stream in one transaction with its offset. The stretch of journal orderings the batch
    /// covers (after the stored offset, up to its last event) is checked against the journal's tables first: an ordering
    /// no row holds yet becomes a pending gap (stored with the offset); a tagged row the stream did not deliver (it
    /// committed after the read journal gave up waiting for it) is fetched by persistence id and applied now. Then each
    /// persistence id's events must follow the read model's sequence number for it; missing ones are fetched first.
    /// Returns how many journal orderings lie beyond the batch (0 when it applied nothing): how far behind the projection is.
    /// </summary>
    private async Task<long> WriteBatchAsync(List<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        var expected = Offset;
        var fresh = new List<EventEnvelope>(batch.Count);
        var last = expected;
        foreach (var envelope in batch)
        {
            var ordering = ProjectionSource.OrderingOf(envelope);
            if (ordering <= last)
            {
                Log(LogLevel.WarningLevel, $"Skipped the event at offset {ordering} ({envelope.PersistenceId} #{envelope.SequenceNr}): it is not after offset {last}.");
                continue;
            }
            fresh.Add(envelope);
            last = ordering;
        }
        if (fresh.Count == 0) return 0;

        var gapsBefore = PendingGaps;
        var now = _time.GetUtcNow();
        var plan = await _database.InTransactionAsync(async (session, ct) =>
        {
            var planned = await PlanAsync(session, fresh, expected + 1, last, gapsBefore, now, ct).ConfigureAwait(false);
            await _handler.HandleAsync(session, planned.Events, ct).ConfigureAwait(false);
            await _offsets.AdvanceAsync(session, expected, last, now, ct).ConfigureAwait(false);
            if (!ReferenceEquals(planned.Gaps, gapsBefore)) await _offsets.WriteGapsAsync(session, planned.Gaps, ct).ConfigureAwait(false);
            return planned;
        }, cancellationToken).ConfigureAwait(false);

        Committed(last, plan.Gaps, plan.Events.Count, ProjectionSource.TimestampOf(fresh[^1]));
        if (plan.NewGaps.Count > 0)
        {
            Log(LogLevel.InfoLevel, $"Jumped over journal ordering(s) {string.Join(", ", plan.NewGaps.Select(g => g.From == g.To ? $"{g.From}" : $"{g.From}..{g.To}"))} " +
                "that no row holds yet (write transactions still open, or rolled back): looking them up again until they appear or are given up.");
        }
        if (plan.Skipped > 0) Log(LogLevel.WarningLevel, $"Applied {plan.Skipped} tagged event(s) the read journal had skipped in the batch up to offset {last}.");
        if (plan.Backfilled > 0) Log(LogLevel.WarningLevel, $"Fetched and applied {plan.Backfilled} event(s) missing before later events of the same persistence id.");
        return Math.Max(0, plan.JournalHighest - last);
    }

    private async Task<Plan> PlanAsync(ProjectionSession session, List<EventEnvelope> fresh, long from, long to, GapSet gapsBefore,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Counts first, one statement per batch: the holes are looked for only when the stretch has fewer rows than orderings.
        var (rows, tagged, highest) = await _journal.CountsAsync(session, Tag, from, to, cancellationToken).ConfigureAwait(false);
        var missing = rows == to - from + 1 ? [] : await _journal.MissingAsync(session, from, to, cancellationToken).ConfigureAwait(false);

        // Tagged rows of the stretch the stream did not deliver.
        var events = fresh;
        var skipped = 0;
        if (tagged > fresh.Count)
        {
            var delivered = fresh.Select(ProjectionSource.OrderingOf).ToHashSet();
            var extra = new List<EventEnvelope>();
            foreach (var row in await _journal.TaggedAsync(session, Tag, from, to, cancellationToken).ConfigureAwait(false))
            {
                if (delivered.Contains(row.Ordering)) continue;
                extra.AddRange(await FetchAsync(row, cancellationToken).ConfigureAwait(false));
            }
            skipped = extra.Count;
            if (skipped > 0) events = [.. fresh.Concat(extra).OrderBy(ProjectionSource.OrderingOf)];
        }

        var (complete, backfilled) = await FillSequenceHolesAsync(session, events, cancellationToken).ConfigureAwait(false);
        var newGaps = missing.Select(m => new JournalGap(m.From, m.To, now)).ToList();
        var gaps = gapsBefore.Add(newGaps);
        // Events fetched late may fill orderings that were pending gaps.
        if (backfilled > 0 || skipped > 0) gaps = gaps.Remove(complete.Select(ProjectionSource.OrderingOf));
        return new Plan(complete, gaps, skipped, backfilled, missing, highest);
    }

    /// <summary>
    /// The per-stream check: an event whose sequence number is more than one above what the read model (or the batch
    /// before it) has of its persistence id gets the events between fetched from the journal and put before it.
    /// </summary>
    private async Task<(List<EventEnvelope> Events, int Backfilled)> FillSequenceHolesAsync(ProjectionSession session, List<EventEnvelope> events,
        CancellationToken cancellationToken)
    {
        var applied = await _handler.AppliedSequenceNrsAsync(session, events, cancellationToken).ConfigureAwait(false);
        if (applied is null) return (events, 0);
        var next = new Dictionary<string, long>(StringComparer.Ordinal);
        List<EventEnvelope>? result = null;
        var backfilled = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var envelope = events[i];
            var have = next.TryGetValue(envelope.PersistenceId, out var seen) ? seen : applied.GetValueOrDefault(envelope.PersistenceId);
            if (envelope.SequenceNr > have + 1)
            {
                var fetched = await _source.EventsOf(envelope.PersistenceId, have + 1, envelope.SequenceNr - 1)
                    .RunWith(Sink.Seq<EventEnvelope>(), _materializer).WaitAsync(cancellationToken).ConfigureAwait(false);
                var contiguous = fetched.Select((e, k) => e.SequenceNr == have + 1 + k).All(ok => ok) && fetched.Count == envelope.SequenceNr - 1 - have;
                if (!contiguous)
                {
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                        $"{envelope.PersistenceId} #{envelope.SequenceNr} (offset {ProjectionSource.OrderingOf(envelope)}) follows #{have} in the read model, " +
                        $"and the journal gave {fetched.Count} of the {envelope.SequenceNr - 1 - have} events between: events are missing from the journal."));
                }
                result ??= [.. events.Take(i)];
                result.AddRange(fetched);
                backfilled += fetched.Count;
            }
            result?.Add(envelope);
            if (envelope.SequenceNr > have) next[envelope.PersistenceId] = envelope.SequenceNr;
        }
        return (result ?? events, backfilled);
    }

    /// <summary>One tagged journal row, through the read journal (deserialized as the stream would have); empty if it is gone (deleted).</summary>
    private async Task<IReadOnlyList<EventEnvelope>> FetchAsync(TaggedRow row, CancellationToken cancellationToken)
    {
        var found = await _source.EventsOf(row.PersistenceId, row.SequenceNr, row.SequenceNr)
            .RunWith(Sink.Seq<EventEnvelope>(), _materializer).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. found.Where(e => ProjectionSource.OrderingOf(e) == row.Ordering)];
    }

    /// <summary>After a commit: the new offset and gaps become current; counts, lag and rebuild progress move.</summary>
    private void Committed(long offset, GapSet gaps, int events, DateTimeOffset? lastEventAt)
    {
        string? progressLine = null;
        lock (_statusGate)
        {
            Volatile.Write(ref _gaps, gaps);
            Interlocked.Exchange(ref _offset, offset);
            if (lastEventAt is { } at) _lastEventTimestamp = at;
            _eventsHandled += events;
            _failuresInARow = 0;
            if (offset > _highestOffset) _highestOffset = offset;
            if (_rebuild is { Completed: false } rebuild)
            {
                rebuild.EventsDone += events;
                rebuild.Offset = offset;
                if (offset >= rebuild.TargetOffset) progressLine = CompleteRebuild(rebuild);
                else if (_time.GetElapsedTime(rebuild.LastLogTimestamp) >= Settings.ProgressLogInterval)
                {
                    rebuild.LastLogTimestamp = _time.GetTimestamp();
                    var p = rebuild.Snapshot(_time);
                    progressLine = Invariant(
                        $"Rebuilding: {p.EventsDone} events done, offset {p.Offset} of {p.TargetOffset} ({p.PercentDone:0.0}%), {p.EventsPerSecond:0} events/s.");
                }
            }
        }
        _waiters.Reached(offset, gaps);
        if (progressLine is not null) Log(LogLevel.InfoLevel, progressLine);
    }

    // Under _statusGate.
    private string CompleteRebuild(RebuildTracker rebuild)
    {
        rebuild.Complete(_time.GetUtcNow(), _time.GetElapsedTime(rebuild.StartTimestamp));
        if (_state == ProjectionState.Rebuilding) _state = ProjectionState.Running;
        var p = rebuild.Snapshot(_time);
        return Invariant(
            $"Rebuild completed: {p.EventsDone} events up to offset {p.Offset} in {(p.CompletedAt!.Value - p.StartedAt).TotalSeconds:0.0} s ({p.EventsPerSecond:0} events/s).");
    }
}
