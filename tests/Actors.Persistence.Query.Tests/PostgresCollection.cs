using Actors.Persistence.Tck.Postgres;

namespace Actors.Persistence.Query.Tests;

/// <summary>
/// The one throwaway PostgreSQL server of this test assembly (collection definitions must live in the test assembly).
/// Tests that need it: <c>[Collection(PostgresCollection.Name)]</c> and a constructor parameter <see cref="PostgresServer"/>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";

    /// <summary>All query tests share one database; each test works in a schema of its own.</summary>
    public const string Database = "query-tests";
}
