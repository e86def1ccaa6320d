using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>
/// The real host (Program) on a test server, with its configuration overridden by <paramref name="settings"/>
/// (the same keys as hocon/bank.conf) and a <see cref="ManualClock"/> as its time.
/// </summary>
public sealed class BankFactory(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    public ManualClock Clock { get; } = new();

    /// <summary>In-memory journal: fast, and nothing to clean up.</summary>
    public static BankFactory InMemory(Action<IServiceCollection>? services = null, IReadOnlyDictionary<string, string?>? extra = null) =>
        new(Merge(new Dictionary<string, string?> { ["actors:persistence:journal:provider"] = "inmemory" }, extra), services);

    public static BankFactory Sqlite(string databaseFile) => new(new Dictionary<string, string?>
    {
        ["actors:persistence:journal:provider"] = "sqlite",
        ["actors:persistence:sqlite:connection-string"] = $"Data Source={databaseFile}",
        ["actors:persistence:sqlite:synchronous"] = "normal",
    });

    public static BankFactory Postgres(string connectionString) => new(new Dictionary<string, string?>
    {
        ["actors:persistence:journal:provider"] = "postgres",
        ["actors:persistence:postgres:connection-string"] = connectionString,
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(s =>
        {
            s.AddSingleton<TimeProvider>(Clock);
            services?.Invoke(s);
        });
    }

    private static Dictionary<string, string?> Merge(Dictionary<string, string?> settings, IReadOnlyDictionary<string, string?>? extra)
    {
        if (extra is not null)
        {
            foreach (var (key, value) in extra) settings[key] = value;
        }
        return settings;
    }
}
