using System.Data.Common;
using Actors.Persistence.Sql.Postgres;
using Npgsql;

namespace Actors.Persistence.Query.Projections;

/// <summary>
/// A projection database in PostgreSQL: the tables live in <see cref="Schema"/> (normally the journal's schema), which
/// is created when missing. Transactions are READ COMMITTED; the offset update is guarded by the expected old offset,
/// so two writers of one projection can never both apply a batch.
/// </summary>
public sealed class PostgresProjectionDatabase : ProjectionDatabase
{
    // Any fixed number: serializes concurrent creation of the projection tables.
    private const long SchemaLockKey = 0x4163746F7250524A; // "ActorPRJ"

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _quotedSchema;

    public PostgresProjectionDatabase(string connectionString, string schema = "public")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        Schema = schema;
        _quotedSchema = Quote(schema);
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>The journal's database and schema.</summary>
    public PostgresProjectionDatabase(PostgresJournalOptions journalOptions)
        : this((journalOptions ?? throw new ArgumentNullException(nameof(journalOptions))).ConnectionString, journalOptions.Schema)
    {
    }

    public string Schema { get; }

    public override SqlDialect Dialect => SqlDialect.Postgres;

    public override string Table(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return _quotedSchema + "." + Quote(name);
    }

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    protected internal override async Task PrepareAsync(CancellationToken cancellationToken)
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

    protected internal override async Task LockSchemaAsync(ProjectionSession session, CancellationToken cancellationToken) =>
        await session.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", cancellationToken, ("key", SchemaLockKey)).ConfigureAwait(false);

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
