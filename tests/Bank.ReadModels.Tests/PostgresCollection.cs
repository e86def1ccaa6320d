using Actors.Persistence.Tck.Postgres;

namespace Bank.ReadModels.Tests;

/// <summary>The one throwaway PostgreSQL server of this test assembly. Its tests fail, never skip, without PostgreSQL.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";

    /// <summary>All tests share one database; each works in a schema of its own.</summary>
    public const string Database = "read-models";
}
