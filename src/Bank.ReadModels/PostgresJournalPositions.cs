using Bank.ReadModels.Projections;
using Npgsql;

namespace Bank.ReadModels;

/// <summary>PostgreSQL: Npgsql's pooled data source with automatic preparation (both statements are prepared per connection on their second use).</summary>
internal sealed class PostgresJournalPositions : JournalPositions
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _highestSql;
    private readonly string _orderingSql;

    public PostgresJournalPositions(string connectionString, JournalTables tables)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 16;
        _dataSource = NpgsqlDataSource.Create(builder);
        var journal = tables.QualifiedJournal(SqlDialect.Postgres);
        _highestSql = HighestSql(journal);
        _orderingSql = OrderingSql(journal, "$1", "$2");
    }

    public override async Task<long> HighestOffsetAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = _dataSource.CreateCommand(_highestSql);
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? 0 : (long)value;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    public override async Task<bool> JournalExistsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = _dataSource.CreateCommand(_highestSql);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return false;
        }
    }

    public override async Task<long?> OrderingOfAsync(string persistenceId, long sequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(persistenceId);
        try
        {
            await using var command = _dataSource.CreateCommand(_orderingSql);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sequenceNr });
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? null : (long)value;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
