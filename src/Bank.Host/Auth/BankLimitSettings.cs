using Akka.Configuration;

namespace Bank.Host.Auth;

/// <summary>The abuse limits: <c>bank.limits</c> in hocon/bank.conf.</summary>
public sealed record BankLimitSettings
{
    public const long DefaultMaxHeaderSize = 16 * 1024;

    /// <summary>Commands per second for each subject (each IP address without a token).</summary>
    public int CommandsPerSecond { get; init; } = 100;

    public int EventStreamsPerSubject { get; init; } = 4;

    public int EventStreamsTotal { get; init; } = 200;

    /// <summary>All request headers together, in bytes (names and values).</summary>
    public long MaxHeaderSize { get; init; } = DefaultMaxHeaderSize;

    public static BankLimitSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var defaults = new BankLimitSettings();
        var settings = new BankLimitSettings
        {
            CommandsPerSecond = ReadInt(config, "bank.limits.commands-per-second", defaults.CommandsPerSecond),
            EventStreamsPerSubject = config.GetInt("bank.limits.event-streams-per-subject", defaults.EventStreamsPerSubject),
            EventStreamsTotal = config.GetInt("bank.limits.event-streams-total", defaults.EventStreamsTotal),
            MaxHeaderSize = config.GetByteSize("bank.limits.max-header-size") ?? DefaultMaxHeaderSize,
        };
        if (settings.CommandsPerSecond < 1) throw new InvalidOperationException($"bank.limits.commands-per-second (or BANK_COMMANDS_PER_SECOND) must be 1 or more, not {settings.CommandsPerSecond}.");
        if (settings.EventStreamsPerSubject < 1) throw new InvalidOperationException($"bank.limits.event-streams-per-subject must be 1 or more, not {settings.EventStreamsPerSubject}.");
        if (settings.EventStreamsTotal < settings.EventStreamsPerSubject)
            throw new InvalidOperationException($"bank.limits.event-streams-total ({settings.EventStreamsTotal}) must be at least event-streams-per-subject ({settings.EventStreamsPerSubject}).");
        if (settings.MaxHeaderSize < 1024) throw new InvalidOperationException($"bank.limits.max-header-size must be at least 1KiB, not {settings.MaxHeaderSize} bytes.");
        return settings;
    }

    // An environment variable arrives as a quoted string: read it as a number, naming the key when it is not one.
    private static int ReadInt(Config config, string path, int fallback)
    {
        if (!config.HasPath(path)) return fallback;
        var text = config.GetString(path).Trim();
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"{path} must be a whole number, not '{text}'.");
    }
}
