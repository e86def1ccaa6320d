using Actors.Persistence.Tck.Postgres;

namespace Actors.Persistence.Query.Tests.Projections;

/// <summary>The projection runtime on a temp SQLite file.</summary>
public sealed class SqliteProjectionSpecs : ProjectionSpecs
{
    protected override IProjectionTestDatabase CreateDatabases() => new SqliteTestDatabase();
}

/// <summary>The projection runtime on PostgreSQL, each test in a schema of its own. Never skipped: no PostgreSQL fails it.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresProjectionSpecs(PostgresServer server) : ProjectionSpecs
{
    protected override IProjectionTestDatabase CreateDatabases() => new PostgresTestDatabase(server);
}
