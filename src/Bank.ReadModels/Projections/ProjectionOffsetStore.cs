using System.Globalization;

namespace Bank.ReadModels.Projections;

/// <summary>
/// The projection's row in <c>projection_offset(name PRIMARY KEY, last_offset, updated_at)</c> and its pending gaps in
/// <c>projection_gap(name, gap_from, gap_to, first_seen_at)</c>; times are unix milliseconds. Both are written in the
/// transaction of the batch they belong to, so a restart finds exactly the gaps that its offset jumped over.
/// </summary>
internal sealed class ProjectionOffsetStore
{
    private readonly string _name;
    private readonly string _createOffsets;
    private readonly string _createGaps;
    private readonly string _ensureRow;
    private readonly string _read;
    private readonly string _advance;
    private readonly string _reset;
    private readonly string _readGaps;
    private readonly string _deleteGaps;
    private readonly string _insertGap;

    public ProjectionOffsetStore(ProjectionDatabase database, string name)
    {
        _name = name;
        var offsets = database.Table(ProjectionDatabase.OffsetTable);
        var gaps = database.Table(ProjectionDatabase.GapTable);
        _createOffsets =
            $"""
            CREATE TABLE IF NOT EXISTS {offsets} (
                name        TEXT   NOT NULL PRIMARY KEY,
                last_offset BIGINT NOT NULL,
                updated_at  BIGINT NOT NULL
            )
            """;
        _createGaps =
            $"""
            CREATE TABLE IF NOT EXISTS {gaps} (
                name          TEXT   NOT NULL,
                gap_from      BIGINT NOT NULL,
                gap_to        BIGINT NOT NULL,
                first_seen_at BIGINT NOT NULL,
                PRIMARY KEY (name, gap_from)
            )
            """;
        _ensureRow = $"INSERT INTO {offsets} (name, last_offset, updated_at) VALUES (@name, 0, @now) ON CONFLICT (name) DO NOTHING";
        _read = $"SELECT last_offset FROM {offsets} WHERE name = @name";
        // Guarded by the offset the batch started from: if anyone else moved it (a second node, a rebuild), nothing is
        // written and the batch rolls back instead of being applied twice.
        _advance = $"UPDATE {offsets} SET last_offset = @offset, updated_at = @now WHERE name = @name AND last_offset = @expected";
        _reset = $"UPDATE {offsets} SET last_offset = 0, updated_at = @now WHERE name = @name";
        _readGaps = $"SELECT gap_from, gap_to, first_seen_at FROM {gaps} WHERE name = @name ORDER BY gap_from";
        _deleteGaps = $"DELETE FROM {gaps} WHERE name = @name";
        _insertGap = $"INSERT INTO {gaps} (name, gap_from, gap_to, first_seen_at) VALUES (@name, @from, @to, @seen)";
    }

    public async Task CreateAsync(ProjectionSession session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync(_createOffsets, cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync(_createGaps, cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync(_ensureRow, cancellationToken, ("name", _name), ("now", now)).ConfigureAwait(false);
    }

    public async Task<long> ReadAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        var value = await session.ScalarAsync(_read, cancellationToken, ("name", _name)).ConfigureAwait(false);
        return value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    public async Task<GapSet> ReadGapsAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(_readGaps, r => new JournalGap(r.GetInt64(0), r.GetInt64(1),
            DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2))), cancellationToken, ("name", _name)).ConfigureAwait(false);
        return GapSet.From(rows);
    }

    /// <summary>Moves the offset from <paramref name="expected"/> to <paramref name="offset"/> (the same value only re-checks the guard).</summary>
    public async Task AdvanceAsync(ProjectionSession session, long expected, long offset, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await session.ExecuteAsync(_advance, cancellationToken,
            ("name", _name), ("offset", offset), ("expected", expected), ("now", now)).ConfigureAwait(false);
        if (rows != 1) throw new ProjectionOffsetConflictException(_name, expected);
    }

    /// <summary>Replaces the stored gaps with <paramref name="gaps"/> (a handful of rows: rewriting beats diffing).</summary>
    public async Task WriteGapsAsync(ProjectionSession session, GapSet gaps, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync(_deleteGaps, cancellationToken, ("name", _name)).ConfigureAwait(false);
        foreach (var gap in gaps.Gaps)
        {
            await session.ExecuteAsync(_insertGap, cancellationToken,
                ("name", _name), ("from", gap.From), ("to", gap.To), ("seen", gap.FirstSeen)).ConfigureAwait(false);
        }
    }

    public async Task ResetAsync(ProjectionSession session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync(_reset, cancellationToken, ("name", _name), ("now", now)).ConfigureAwait(false);
        await session.ExecuteAsync(_deleteGaps, cancellationToken, ("name", _name)).ConfigureAwait(false);
    }
}

/// <summary>
/// The stored offset was not the one a batch started from: another instance of the projection (or a rebuild) moved it.
/// The batch was rolled back; the projection restarts from the stored offset.
/// </summary>
public sealed class ProjectionOffsetConflictException(string projection, long expected)
    : Exception($"The stored offset of projection '{projection}' is no longer {expected}: another instance or a rebuild moved it. The batch was rolled back.");
