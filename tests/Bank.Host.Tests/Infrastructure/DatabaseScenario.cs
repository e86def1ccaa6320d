namespace Bank.Host.Tests.Infrastructure;

/// <summary>
/// A test class whose tests start hosts of their own (<see cref="BankFactory"/>) on the class's one database, for
/// scenarios across restarts or settings; <see cref="HostScenario"/> is the one to use when one shared host will do.
/// Subclasses pick the database: one for SQLite, one for PostgreSQL.
/// </summary>
public abstract class DatabaseScenario(DatabaseFixture fixture) : IAsyncLifetime
{
    private BankDatabase? _database;

    protected BankDatabase Database => _database ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>A new database for the class (called once per class).</summary>
    protected abstract Task<BankDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync() => _database = await fixture.DatabaseAsync(CreateDatabaseAsync);

    public Task DisposeAsync() => Task.CompletedTask;
}
