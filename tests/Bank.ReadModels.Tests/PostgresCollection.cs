using Bank.Testing;

namespace Bank.ReadModels.Tests;

/// <summary>
/// A throwaway PostgreSQL server for the read model's specs. Its tests fail, never skip, without PostgreSQL. Each test
/// creates a database of its own on it.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

/// <summary>
/// A second throwaway server for the projection and hole specs: xunit runs one collection's tests one after another, and
/// the PostgreSQL tests wait on the database far more than they use the CPU, so two collections halve the suite's time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresProjectionCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres-projections";
}
