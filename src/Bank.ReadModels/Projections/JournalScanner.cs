namespace Bank.ReadModels.Projections;

/// <summary>A journal row that carries the projection's tag: what to fetch (by persistence id) when the stream skipped it.</summary>
internal readonly record struct TaggedRow(long Ordering, string PersistenceId, long SequenceNr);

/// <summary>A journal row of a gap's stretch, and whether it carries the projection's tag.</summary>
internal readonly record struct PresentRow(long Ordering, TaggedRow? Tagged);

/// <summary>
/// Reads Akka.Persistence.Sql's tables directly (see <see cref="JournalTables"/>) for what the read journal does not tell:
/// which orderings of a stretch exist (the identity sequence has holes while write transactions are open, and forever
/// where one rolled back), and which rows of a stretch carry a tag. Runs on a projection session: the projection's
/// transaction when it decides what a batch covers.
/// </summary>
internal sealed class JournalScanner
{
    private readonly string _highest;
    private readonly string _missing;
    private readonly string _counts;
    private readonly string _tagged;
    private readonly string _present;
    private readonly string _nextTagged;
    private readonly string _highestTagged;

    public JournalScanner(ProjectionDatabase database)
    {
        var journal = database.Journal.QualifiedJournal(database.Dialect);
        var tags = database.Journal.QualifiedTags(database.Dialect);
        _highest = $"SELECT MAX(ordering) FROM {journal}";
        // The holes of from..to: sentinels just outside the stretch, then every gap between neighbours. Reads the primary
        // key's index over the stretch only.
        _missing =
            $"""
            SELECT prev + 1, ordering - 1 FROM (
                SELECT ordering, LAG(ordering) OVER (ORDER BY ordering) AS prev FROM (
                    SELECT CAST(@from AS BIGINT) - 1 AS ordering
                    UNION ALL SELECT ordering FROM {journal} WHERE ordering >= @from AND ordering <= @to
                    UNION ALL SELECT CAST(@to AS BIGINT) + 1
                ) AS o
            ) AS w
            WHERE ordering > prev + 1
            ORDER BY 1
            """;
        // Both counts of a stretch in one statement: the rows (as many as orderings when there is no hole) and the tagged
        // rows; and the journal's highest ordering (the end of the primary key's index), to tell how far behind it is.
        _counts =
            $"""
            SELECT (SELECT COUNT(*) FROM {journal} WHERE ordering >= @from AND ordering <= @to),
                   (SELECT COUNT(*) FROM {tags} WHERE ordering_id >= @from AND ordering_id <= @to AND tag = @tag),
                   (SELECT COALESCE(MAX(ordering), 0) FROM {journal})
            """;
        _tagged = $"SELECT ordering_id, persistence_id, sequence_nr FROM {tags} WHERE ordering_id >= @from AND ordering_id <= @to AND tag = @tag ORDER BY ordering_id";
        _present =
            $"""
            SELECT j.ordering, t.persistence_id, t.sequence_nr FROM {journal} AS j
            LEFT JOIN {tags} AS t ON t.ordering_id = j.ordering AND t.tag = @tag
            WHERE j.ordering >= @from AND j.ordering <= @to
            ORDER BY j.ordering
            """;
        _nextTagged = $"SELECT MIN(ordering_id) FROM {tags} WHERE ordering_id > @after AND ordering_id <= @until AND tag = @tag";
        // The key's index read backwards from the newest row to the first with the tag: a few rows when the tag is common.
        _highestTagged = $"SELECT ordering_id FROM {tags} WHERE tag = @tag ORDER BY ordering_id DESC LIMIT 1";
    }

    /// <summary>The journal's highest ordering; 0 when it is empty or has no tables yet.</summary>
    public async Task<long> HighestOrderingAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        try
        {
            var value = await session.ScalarAsync(_highest, cancellationToken).ConfigureAwait(false);
            return value is null ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (session.Database.IsMissingTable(e) && session.Transaction is null)
        {
            return 0;
        }
    }

    /// <summary>
    /// The highest ordering that carries <paramref name="tag"/>; 0 when none does or there are no tables yet. Rows of other
    /// tags (transfers) and untagged ones (sharding's remembered entities) after it are nothing a tag projection waits for.
    /// </summary>
    public async Task<long> HighestTaggedAsync(ProjectionSession session, string tag, CancellationToken cancellationToken)
    {
        try
        {
            var value = await session.ScalarAsync(_highestTagged, cancellationToken, ("tag", tag)).ConfigureAwait(false);
            return value is null ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (session.Database.IsMissingTable(e) && session.Transaction is null)
        {
            return 0;
        }
    }

    /// <summary>The orderings of <paramref name="from"/>..<paramref name="to"/> that no journal row holds (now), as ranges.</summary>
    public Task<List<(long From, long To)>> MissingAsync(ProjectionSession session, long from, long to, CancellationToken cancellationToken) =>
        session.QueryAsync(_missing, r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken, ("from", from), ("to", to));

    /// <summary>
    /// How many journal rows <paramref name="from"/>..<paramref name="to"/> holds (to - from + 1 when it has no hole:
    /// orderings are unique), how many of them carry <paramref name="tag"/>, and the journal's highest ordering, read in
    /// one statement.
    /// </summary>
    public async Task<(long Rows, long Tagged, long Highest)> CountsAsync(ProjectionSession session, string tag, long from, long to, CancellationToken cancellationToken)
    {
        var counts = await session.QueryAsync(_counts, r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken,
            ("from", from), ("to", to), ("tag", tag)).ConfigureAwait(false);
        return counts[0];
    }

    public Task<List<TaggedRow>> TaggedAsync(ProjectionSession session, string tag, long from, long to, CancellationToken cancellationToken) =>
        session.QueryAsync(_tagged, r => new TaggedRow(r.GetInt64(0), r.GetString(1), r.GetInt64(2)), cancellationToken,
            ("from", from), ("to", to), ("tag", tag));

    /// <summary>Every journal row of from..to, with its tag row if it carries <paramref name="tag"/>.</summary>
    public Task<List<PresentRow>> PresentAsync(ProjectionSession session, string tag, long from, long to, CancellationToken cancellationToken) =>
        session.QueryAsync(_present, r => new PresentRow(r.GetInt64(0),
                r.IsDBNull(1) ? null : new TaggedRow(r.GetInt64(0), r.GetString(1), r.GetInt64(2))), cancellationToken,
            ("from", from), ("to", to), ("tag", tag));

    /// <summary>The first ordering after <paramref name="after"/> and up to <paramref name="until"/> that carries the tag; null when none does.</summary>
    public async Task<long?> NextTaggedAsync(ProjectionSession session, string tag, long after, long until, CancellationToken cancellationToken)
    {
        var value = await session.ScalarAsync(_nextTagged, cancellationToken, ("after", after), ("until", until), ("tag", tag)).ConfigureAwait(false);
        return value is null ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
