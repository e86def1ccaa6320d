using Actors.Hosting;
using Actors.Hosting.Hocon;

namespace Bank.Host.Hosting;

/// <summary>Where the host's configuration comes from, and the few keys it reads before the services exist.</summary>
public static class BankConfiguration
{
    /// <summary>Names the configuration file: <c>postgres</c>, <c>postgres.conf</c>, or a path. Default <see cref="DefaultFile"/>.</summary>
    public const string FileVariable = "BANK_CONFIG";

    public const string DefaultFile = "bank.conf";

    public const string HttpPortKey = "bank:http:port";
    public const int DefaultHttpPort = 5000;

    /// <summary>The interface to listen on: <c>localhost</c> (the default), <c>0.0.0.0</c>/<c>*</c> for all, or an address.</summary>
    public const string HttpHostKey = "bank:http:host";
    public const string DefaultHttpHost = "localhost";

    /// <summary>
    /// Adds the HOCON file named by <see cref="FileVariable"/>, then environment variables and
    /// <paramref name="args"/> once more, so that both override the file (as they override appsettings.json).
    /// </summary>
    public static IConfigurationBuilder AddBankConfiguration(this IConfigurationBuilder configuration, string[] args)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(args);
        return configuration
            .AddHoconFile(ResolveFile(Environment.GetEnvironmentVariable(FileVariable)))
            .AddEnvironmentVariables()
            .AddCommandLine(args);
    }

    /// <summary>
    /// The configuration file for a <see cref="FileVariable"/> value: a bare name (with or without <c>.conf</c>) is
    /// looked up in <c>hocon/</c> beside the binary, anything with a directory in it is a path. Throws if it does not exist.
    /// </summary>
    public static string ResolveFile(string? name, string? baseDirectory = null)
    {
        var hoconDirectory = Path.Combine(baseDirectory ?? AppContext.BaseDirectory, "hocon");
        if (string.IsNullOrWhiteSpace(name)) name = DefaultFile;
        name = name.Trim();

        string path;
        if (Path.IsPathRooted(name) || name.Contains('/') || name.Contains(Path.DirectorySeparatorChar))
            path = Path.GetFullPath(name);
        else
            path = Path.Combine(hoconDirectory, name.EndsWith(".conf", StringComparison.OrdinalIgnoreCase) ? name : name + ".conf");

        if (File.Exists(path)) return path;
        var known = Directory.Exists(hoconDirectory)
            ? string.Join(", ", Directory.EnumerateFiles(hoconDirectory, "*.conf").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal))
            : "none";
        throw new InvalidOperationException(
            $"The bank configuration file '{path}' does not exist ({FileVariable}='{name}'). Known configurations in {hoconDirectory}: {known}.");
    }

    /// <summary>
    /// Listens on <c>bank.http.host</c>:<c>bank.http.port</c> unless the addresses were given the usual ASP.NET Core ways
    /// (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>--http_ports</c>, Kestrel endpoints), which then win.
    /// </summary>
    public static WebApplicationBuilder UseBankHttpPort(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var addressesGiven = !string.IsNullOrWhiteSpace(configuration["urls"])
                             || !string.IsNullOrWhiteSpace(configuration["http_ports"])
                             || !string.IsNullOrWhiteSpace(configuration["https_ports"])
                             || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (addressesGiven) return builder;

        var port = configuration.GetInt(HttpPortKey, DefaultHttpPort);
        if (port is < 1 or > 65535)
            throw new InvalidOperationException($"Configuration key '{HttpPortKey}' is {port}; a TCP port is 1 to 65535.");
        var host = configuration.GetString(HttpHostKey, DefaultHttpHost).Trim();
        if (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[')) host = $"[{host}]"; // an IPv6 address
        builder.WebHost.UseUrls($"http://{host}:{port}");
        return builder;
    }
}
