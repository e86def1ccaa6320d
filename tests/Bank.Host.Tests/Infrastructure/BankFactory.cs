using Bank.Host.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>
/// The real host (Program) on a test server and <paramref name="database"/>, its configuration given as HOCON read after
/// hocon/bank.conf (the <c>bank-hocon</c> setting: <paramref name="hocon"/> overrides the database's), a
/// <see cref="ManualClock"/> as its time and <see cref="Logs"/> as its only log. Each factory is its own actor system.
/// </summary>
public sealed class BankFactory(BankDatabase database, string? hocon = null, Action<IServiceCollection>? services = null, ManualClock? clock = null)
    : WebApplicationFactory<Program>
{
    public BankDatabase Database => database;

    public ManualClock Clock { get; } = clock ?? new ManualClock();

    public LogSink Logs { get; } = new();

    /// <summary>The host's environment: Production, as an operator runs it, unless a scenario is about another.</summary>
    public string Environment { get; init; } = "Production";

    /// <summary>The HOCON the host was given after its files: the tests' key and limits (<see cref="TestTokens"/>), the database, then the scenario's.</summary>
    public string Overrides => $"{TestTokens.Hocon}{database.Hocon}\nbank.logging.Default = Warning\n{hocon}";

    /// <summary>A client that sends no token, or <paramref name="token"/>.</summary>
    public HttpClient CreateClient(string? token) => CreateClient().As(token);

    /// <summary>Every client sends the staff token (teller and admin) unless a scenario gives it another (<see cref="TestTokens.As"/>).</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.As(TestTokens.Staff);
    }

    /// <summary>
    /// Starts the host and waits until it is ready (GET /health/ready is 200: the node is Up, its region registered, the
    /// journal answers), as a load balancer would before it sends traffic. Until the node has joined its cluster a request
    /// waits at most 5 s and then gets 503 not-ready, and a busy machine can take longer than that to start.
    /// </summary>
    public async Task<BankFactory> ReadyAsync()
    {
        using var client = CreateClient();
        await BankHttp.EventuallyAsync(async () =>
        {
            using var response = await client.GetAsync("/health/ready");
            return response.StatusCode == System.Net.HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), "the host to be ready");
        return this;
    }

    /// <summary>A new host on the same database, settings and clock; dispose this one first.</summary>
    public BankFactory Restart() => new(database, hocon, services, Clock);

    /// <summary>The configuration the host runs with.</summary>
    public BankHocon Hocon => Services.GetRequiredService<BankHocon>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.UseSetting(BankHocon.OverridesKey, Overrides);
        builder.ConfigureTestServices(s =>
        {
            s.RemoveAll<ILoggerProvider>();
            s.AddSingleton<ILoggerProvider>(Logs);
            s.AddSingleton<TimeProvider>(Clock);
            services?.Invoke(s);
        });
    }
}
