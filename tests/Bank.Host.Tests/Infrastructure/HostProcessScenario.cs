using Bank.Testing;
using Microsoft.Data.Sqlite;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>
/// The base of scenarios that run the built host as a process (<see cref="HostProcess"/>) on a database of their own,
/// configured by environment variables as an operator would; their files live under <see cref="Directory"/>, removed
/// afterwards. A subclass per database says which (<see cref="SqliteEnvironment"/>, <see cref="PostgresEnvironmentAsync"/>).
/// </summary>
public abstract class HostProcessScenario(string name) : IAsyncLifetime
{
    protected string Directory { get; } = Path.Combine(Path.GetTempPath(), "bank-host-tests", $"{name}-{Guid.NewGuid():N}");

    /// <summary>The environment that points the host at the database (as an operator sets it).</summary>
    protected abstract Task<IReadOnlyDictionary<string, string>> EnvironmentAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        // The test process's own SQLite connections (to check the database) must let go of the files first.
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory must not fail the run.
        }
        return Task.CompletedTask;
    }

    /// <summary>SQLite: a file of its own under <see cref="Directory"/> (BANK_SQLITE).</summary>
    protected Task<IReadOnlyDictionary<string, string>> SqliteEnvironment() =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>
        {
            ["BANK_JOURNAL"] = "sqlite",
            ["BANK_SQLITE"] = $"Data Source={Path.Combine(Directory, "data", "bank.db")}",
        });

    /// <summary>PostgreSQL: a database of its own on the tests' server (BANK_JOURNAL=postgres, ACTORS_POSTGRES).</summary>
    protected static async Task<IReadOnlyDictionary<string, string>> PostgresEnvironmentAsync(PostgresServer server) => new Dictionary<string, string>
    {
        ["BANK_JOURNAL"] = "postgres",
        ["ACTORS_POSTGRES"] = await server.CreateDatabaseAsync(),
    };
}
