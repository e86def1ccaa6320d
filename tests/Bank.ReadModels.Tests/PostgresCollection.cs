using Bank.Testing;

namespace Bank.ReadModels.Tests;

/// <summary>The one throwaway PostgreSQL server of this test assembly. Its tests fail, never skip, without PostgreSQL.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
