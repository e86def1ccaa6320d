using Akka.Configuration;

namespace Bank.Host.Hosting;

/// <summary>The HTTP side of the bank, from <c>bank.http.*</c> and <c>bank.accounts.ask-timeout</c>.</summary>
public sealed record BankHttpSettings
{
    public const long DefaultMaxBodySize = 64 * 1024;

    /// <summary>The interface to listen on: localhost, 0.0.0.0 / * for all, or an address.</summary>
    public string Host { get; init; } = "localhost";

    public int Port { get; init; } = 5000;

    /// <summary>Larger request bodies are refused with 413.</summary>
    public long MaxBodySize { get; init; } = DefaultMaxBodySize;

    /// <summary>How long a request waits for an account (or the journal) before it gives 503.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public static BankHttpSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var settings = new BankHttpSettings
        {
            Host = config.GetString("bank.http.host", "localhost").Trim(),
            Port = config.GetInt("bank.http.port", 5000),
            MaxBodySize = config.GetByteSize("bank.http.max-body-size") ?? DefaultMaxBodySize,
            AskTimeout = config.GetTimeSpan("bank.accounts.ask-timeout", TimeSpan.FromSeconds(5)),
        };
        if (settings.Port is < 1 or > 65535)
            throw new InvalidOperationException($"bank.http.port is {settings.Port}; a TCP port is 1 to 65535.");
        if (settings.MaxBodySize <= 0)
            throw new InvalidOperationException($"bank.http.max-body-size must be positive, not {settings.MaxBodySize}.");
        if (settings.AskTimeout <= TimeSpan.Zero)
            throw new InvalidOperationException($"bank.accounts.ask-timeout must be positive, not {settings.AskTimeout}.");
        return settings;
    }
}
