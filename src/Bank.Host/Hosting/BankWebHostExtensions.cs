using Akka.Configuration.Hocon;

namespace Bank.Host.Hosting;

/// <summary>What the web host takes from <see cref="BankHocon"/> before the services exist: log levels and where to listen.</summary>
public static class BankWebHostExtensions
{
    public static WebApplicationBuilder UseBankHocon(this WebApplicationBuilder builder, BankHocon hocon)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(hocon);
        builder.Services.AddSingleton(hocon);
        var http = BankHttpSettings.From(hocon.Config);
        builder.Services.AddSingleton(http);
        ApplyLogLevels(builder.Logging, hocon);
        ListenOn(builder, http);
        return builder;
    }

    /// <summary><c>bank.logging</c>: a level per category, as Logging:LogLevel in appsettings.json would give.</summary>
    private static void ApplyLogLevels(ILoggingBuilder logging, BankHocon hocon)
    {
        if (!hocon.Config.HasPath("bank.logging")) return;
        foreach (var (category, value) in hocon.Config.GetConfig("bank.logging").Root.GetObject().Items)
        {
            var text = value.GetString();
            if (!Enum.TryParse<LogLevel>(text, ignoreCase: true, out var level))
                throw new InvalidOperationException($"bank.logging.\"{category}\" is '{text}'; a level is one of {string.Join(", ", Enum.GetNames<LogLevel>())}.");
            if (string.Equals(category, "Default", StringComparison.Ordinal)) logging.SetMinimumLevel(level);
            else logging.AddFilter(category, level);
        }
    }

    /// <summary>
    /// Listens on bank.http.host:bank.http.port unless the addresses were given the usual ASP.NET Core ways
    /// (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>--http_ports</c>, Kestrel endpoints), which then win.
    /// </summary>
    private static void ListenOn(WebApplicationBuilder builder, BankHttpSettings http)
    {
        var configuration = builder.Configuration;
        var addressesGiven = !string.IsNullOrWhiteSpace(configuration["urls"])
                             || !string.IsNullOrWhiteSpace(configuration["http_ports"])
                             || !string.IsNullOrWhiteSpace(configuration["https_ports"])
                             || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (addressesGiven) return;
        var host = http.Host;
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[')) host = $"[{host}]"; // an IPv6 address
        builder.WebHost.UseUrls($"http://{host}:{http.Port}");
    }
}
