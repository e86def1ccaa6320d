using Microsoft.Extensions.DependencyInjection;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>
/// A test class whose tests share one host on the class's own database (<see cref="DatabaseFixture"/>); each test uses
/// accounts of its own. Subclasses pick the database: one for SQLite, one for PostgreSQL.
/// </summary>
public abstract class HostScenario(DatabaseFixture fixture) : IAsyncLifetime
{
    private BankFactory? _host;
    private HttpClient? _client;

    protected BankFactory Host => _host ?? throw new InvalidOperationException("Not initialized.");

    protected HttpClient Client => _client ?? throw new InvalidOperationException("Not initialized.");

    protected DatabaseFixture Fixture => fixture;

    /// <summary>A new database for the class (called once per class).</summary>
    protected abstract Task<BankDatabase> CreateDatabaseAsync();

    /// <summary>HOCON for the class's host, read after the database's.</summary>
    protected virtual string? HostHocon => null;

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual async Task InitializeAsync()
    {
        _host = await fixture.HostAsync(CreateDatabaseAsync, HostHocon, ConfigureServices);
        _client = _host.CreateClient();
    }

    public virtual Task DisposeAsync()
    {
        _client?.Dispose();
        return Task.CompletedTask;
    }
}
