using Actors.Hosting;

namespace Bank.Host.Hosting;

/// <summary>The HTTP side of the bank, from <c>bank.http.*</c> and <c>bank.accounts.ask-timeout</c>.</summary>
public sealed record BankHttpSettings
{
    public const long DefaultMaxBodySize = 64 * 1024; // hocon/bank.conf: 64KiB

    /// <summary>Larger request bodies are refused with 413.</summary>
    public long MaxBodySize { get; init; } = DefaultMaxBodySize;

    /// <summary>How long a request waits for an account (or the journal) before it gives 503.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public static BankHttpSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = new BankHttpSettings
        {
            MaxBodySize = configuration.GetSize("bank:http:max-body-size", DefaultMaxBodySize),
            AskTimeout = configuration.GetDuration("bank:accounts:ask-timeout", TimeSpan.FromSeconds(5)),
        };
        if (settings.MaxBodySize <= 0)
            throw new InvalidOperationException($"Configuration key 'bank:http:max-body-size' must be positive, not {settings.MaxBodySize}.");
        if (settings.AskTimeout <= TimeSpan.Zero)
            throw new InvalidOperationException($"Configuration key 'bank:accounts:ask-timeout' must be positive, not {settings.AskTimeout}.");
        return settings;
    }
}
