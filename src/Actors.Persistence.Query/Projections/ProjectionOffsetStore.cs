namespace Actors.Persistence.Query.Projections;

/// <summary>The projection's row in <c>projection_offset(name PRIMARY KEY, last_offset, updated_at)</c>; updated_at is unix milliseconds.</summary>
internal sealed class ProjectionOffsetStore
{
    private readonly string _name;
    private readonly string _create;
    private readonly string _ensureRow;
    private readonly string _read;
    private readonly string _advance;
    private readonly string _reset;

    public ProjectionOffsetStore(ProjectionDatabase database, string name)
    {
        _name = name;
        var table = database.Table(ProjectionDatabase.OffsetTable);
        _create =
            $"""
            CREATE TABLE IF NOT EXISTS {table} (
                name        TEXT   NOT NULL PRIMARY KEY,
                last_offset BIGINT NOT NULL,
                updated_at  BIGINT NOT NULL
            )
            """;
        _ensureRow = $"INSERT INTO {table} (name, last_offset, updated_at) VALUES (@name, 0, @now) ON CONFLICT (name) DO NOTHING";
        _read = $"SELECT last_offset FROM {table} WHERE name = @name";
        // Guarded by the offset the batch started from: if anyone else moved it (a second node, a rebuild), nothing is
        // written and the batch rolls back instead of being applied twice.
        _advance = $"UPDATE {table} SET last_offset = @offset, updated_at = @now WHERE name = @name AND last_offset = @expected";
        _reset = $"UPDATE {table} SET last_offset = 0, updated_at = @now WHERE name = @name";
    }

    public async Task CreateAsync(ProjectionSession session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync(_create, cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync(_ensureRow, cancellationToken, ("name", _name), ("now", now)).ConfigureAwait(false);
    }

    public async Task<long> ReadAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        var value = await session.ScalarAsync(_read, cancellationToken, ("name", _name)).ConfigureAwait(false);
        return value is null ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task AdvanceAsync(ProjectionSession session, long expected, long offset, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await session.ExecuteAsync(_advance, cancellationToken,
            ("name", _name), ("offset", offset), ("expected", expected), ("now", now)).ConfigureAwait(false);
        if (rows != 1) throw new ProjectionOffsetConflictException(_name, expected);
    }

    public Task ResetAsync(ProjectionSession session, DateTimeOffset now, CancellationToken cancellationToken) =>
        session.ExecuteAsync(_reset, cancellationToken, ("name", _name), ("now", now));
}

/// <summary>
/// The stored offset was not the one a batch started from: another instance of the projection (or a rebuild) moved it.
/// The batch was rolled back; the projection restarts from the stored offset.
/// </summary>
public sealed class ProjectionOffsetConflictException(string projection, long expected)
    : Exception($"The stored offset of projection '{projection}' is no longer {expected}: another instance or a rebuild moved it. The batch was rolled back.");
