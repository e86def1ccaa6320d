using Actors.Persistence.Tck.Postgres;
using Microsoft.Data.Sqlite;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>The one throwaway PostgreSQL server of this test assembly. Its tests fail, never skip, without PostgreSQL.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

/// <summary>A host on an in-memory journal, shared by the tests of one class.</summary>
public sealed class InMemoryBankFixture : IDisposable
{
    public BankFactory Factory { get; } = BankFactory.InMemory();

    public void Dispose() => Factory.Dispose();
}

/// <summary>A host on a fresh SQLite file, shared by the tests of one class; the file is removed afterwards.</summary>
public sealed class SqliteBankFixture : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "bank-host-tests", Guid.NewGuid().ToString("N"));

    public SqliteBankFixture()
    {
        Directory.CreateDirectory(_directory);
        Factory = BankFactory.Sqlite(DatabaseFile);
    }

    public string DatabaseFile => Path.Combine(_directory, "bank.db");

    public BankFactory Factory { get; }

    public void Dispose()
    {
        Factory.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp file must not fail the run.
        }
    }
}

/// <summary>A host on a fresh PostgreSQL database (one per test class), created on first use.</summary>
public sealed class PostgresBankFixture : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private BankFactory? _factory;

    public async Task<BankFactory> GetAsync(PostgresServer server, string key)
    {
        await _gate.WaitAsync();
        try
        {
            return _factory ??= BankFactory.Postgres(await server.GetOrCreateDatabaseAsync(key));
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _factory?.Dispose();
        _gate.Dispose();
    }
}
