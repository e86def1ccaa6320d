using Bank.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>The one throwaway PostgreSQL server of this test assembly. Its tests fail, never skip, without PostgreSQL.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

/// <summary>
/// The database of one test class, created by its first test and dropped after its last, and the host the class's tests
/// share on it (started on first use). xunit makes a test class's instance per test, so the fixture keeps both.
/// </summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private BankDatabase? _database;
    private BankFactory? _host;

    public async Task<BankDatabase> DatabaseAsync(Func<Task<BankDatabase>> create)
    {
        await _gate.WaitAsync();
        try
        {
            return _database ??= await create();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The class's shared host, ready before its first test uses it; the first call's <paramref name="hocon"/> and
    /// <paramref name="services"/> configure it.
    /// </summary>
    public async Task<BankFactory> HostAsync(Func<Task<BankDatabase>> create, string? hocon = null, Action<IServiceCollection>? services = null)
    {
        var database = await DatabaseAsync(create);
        await _gate.WaitAsync();
        try
        {
            if (_host is null)
            {
                _host = new BankFactory(database, hocon, services);
                await _host.ReadyAsync();
            }
            return _host;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
        _gate.Dispose();
    }
}
