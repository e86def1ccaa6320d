using Bank.Host.Hosting;
using Bank.Host.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Actors.Benchmarks.Http;

/// <summary>
/// The bank host as Bank.Host/Program.cs builds it (hocon/bank.conf, AddBankHost, MapBankApi), in this process, on
/// a free 127.0.0.1 port, with its SQLite journal (synchronous=FULL, the default) in a temp directory. For the load run
/// only the log level is raised to Warning (the defaults log every request at Information).
/// </summary>
internal sealed class InProcessBankHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;

    private InProcessBankHost(WebApplication app, string directory, Uri address)
    {
        _app = app;
        _directory = directory;
        Address = address;
    }

    public Uri Address { get; }

    public static IReadOnlyDictionary<string, string?> Overrides(string directory) => new Dictionary<string, string?>
    {
        ["actors:persistence:journal:provider"] = "sqlite",
        ["actors:persistence:sqlite:connection-string"] = $"Data Source={Path.Combine(directory, "bank.db")}",
        ["urls"] = "http://127.0.0.1:0",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    public static async Task<InProcessBankHost> StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"actors-bench-http-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = directory, EnvironmentName = "Production" });
        builder.Configuration.AddBankConfiguration([]);
        builder.Configuration.AddInMemoryCollection(Overrides(directory));
        builder.UseBankHttpPort();
        builder.Services.AddBankHost(builder.Configuration);
        var app = builder.Build();
        app.MapBankApi();
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InProcessBankHost(app, directory, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Persistence.BenchStores.TryDelete(_directory);
    }
}
