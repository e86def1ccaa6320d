using Npgsql;

namespace Actors.Persistence.Sql.Postgres;

/// <summary>The data source and schema of one PostgreSQL journal or snapshot store.</summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    // Any fixed number: serializes concurrent schema creation (CREATE ... IF NOT EXISTS races with itself).
    private const long SchemaLockKey = 0x4163746F72534A4C; // "ActorSJL"

    private readonly bool _autoInitialize;

    /// <param name="asynchronousCommit">synchronous_commit=off on this instance's connections (the snapshot store's).</param>
    public PostgresDatabase(PostgresJournalOptions options, bool asynchronousCommit = false)
    {
        options.Validate();
        var connectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        if (asynchronousCommit)
            connectionString.Options = ((connectionString.Options ?? "") + " -c synchronous_commit=off").Trim();
        DataSource = NpgsqlDataSource.Create(connectionString.ConnectionString);
        Schema = options.Schema;
        _autoInitialize = options.AutoInitialize;
        var quoted = "\"" + options.Schema.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        QuotedSchema = quoted;
        Journal = quoted + ".journal";
        EventTag = quoted + ".event_tag";
        Metadata = quoted + ".metadata";
        Snapshot = quoted + ".snapshot";
        Initializer = new AsyncInitializer(ct => _autoInitialize ? CreateSchemaAsync(ct) : Task.CompletedTask);
    }

    public NpgsqlDataSource DataSource { get; }
    public string Schema { get; }
    public string QuotedSchema { get; }
    public string Journal { get; }
    public string EventTag { get; }
    public string Metadata { get; }
    public string Snapshot { get; }

    /// <summary>Lazy first-use initialization: the schema when AutoInitialize is on.</summary>
    public AsyncInitializer Initializer { get; }

    public Task InitializeSchemaAsync(CancellationToken cancellationToken) =>
        _autoInitialize ? Initializer.RunAsync(cancellationToken) : CreateSchemaAsync(cancellationToken);

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await Initializer.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = SchemaLockKey });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        bool exists;
        await using (var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = Schema });
            exists = (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        // CREATE SCHEMA IF NOT EXISTS would still demand CREATE on the database, so only ask when it is missing.
        var sql = (exists ? "" : $"CREATE SCHEMA {QuotedSchema};\n")
                  + $"SET LOCAL search_path TO {QuotedSchema};\n"
                  + SqlScripts.Postgres;
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
