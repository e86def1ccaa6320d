using System.Data.Common;
using Npgsql;

namespace Bank.ReadModels.Projections;

/// <summary>
/// A projection database in the journal's PostgreSQL database: the projection's tables live in <see cref="Schema"/>,
/// which is created when missing. Transactions are READ COMMITTED; the offset update is guarded by the expected old
/// offset, so two writers of one projection can never both apply a batch.
/// </summary>
public sealed class PostgresProjectionDatabase : ProjectionDatabase
{
    // Any fixed number: serializes concurrent creation of the projection tables.
    private const long SchemaLockKey = 0x42616E6B50524A; // "BankPRJ"

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _quotedSchema;

    public PostgresProjectionDatabase(string connectionString, string schema = "public", JournalTables? journal = null)
        : base(journal)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        Schema = schema;
        _quotedSchema = SqlNames.Quote(schema);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string Schema { get; }

    public override SqlDialect Dialect => SqlDialect.Postgres;

    public override string Table(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return _quotedSchema + "." + SqlNames.Quote(name);
    }

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    internal override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        await InTransactionAsync(async (session, ct) =>
        {
            await LockSchemaAsync(session, ct).ConfigureAwait(false);
            var exists = (bool)(await session.ScalarAsync("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @schema)", ct,
                ("schema", Schema)).ConfigureAwait(false))!;
            // CREATE SCHEMA IF NOT EXISTS would still demand CREATE on the database, so only ask when it is missing.
            if (!exists) await session.ExecuteAsync($"CREATE SCHEMA {_quotedSchema}", ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    internal override async Task LockSchemaAsync(ProjectionSession session, CancellationToken cancellationToken) =>
        await session.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", SchemaLockKey)).ConfigureAwait(false);

    // 42P01 undefined_table: the journal has not created its tables yet.
    internal override bool IsMissingTable(Exception exception) => exception is PostgresException { SqlState: "42P01" };

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }
}
