using Akka.Configuration;

namespace Bank.Actors.Transfers;

/// <summary>How transfers behave; read from <c>bank.transfers</c> in hocon/bank.conf.</summary>
public sealed record TransferSettings
{
    /// <summary>How long a transfer waits for an account to answer a step before it asks again (the step's outcome is then unknown).</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first pause before a step is retried; it doubles up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Shards the transfers are spread over (the same on every node, for the life of the data's cluster).</summary>
    public int Shards { get; init; } = 100;

    /// <summary>Reads <c>bank.transfers</c>; a missing key keeps its default.</summary>
    public static TransferSettings From(Config? transfers)
    {
        var defaults = new TransferSettings();
        if (transfers is null || transfers.IsEmpty) return defaults;
        var settings = new TransferSettings
        {
            StepTimeout = transfers.GetTimeSpan("step-timeout", defaults.StepTimeout),
            MinBackoff = transfers.GetTimeSpan("min-backoff", defaults.MinBackoff),
            MaxBackoff = transfers.GetTimeSpan("max-backoff", defaults.MaxBackoff),
            Shards = transfers.GetInt("shards", defaults.Shards),
        };
        settings.Validate();
        return settings;
    }

    public void Validate()
    {
        if (StepTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(StepTimeout), StepTimeout, "bank.transfers.step-timeout must be positive.");
        if (MinBackoff <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MinBackoff), MinBackoff, "bank.transfers.min-backoff must be positive.");
        if (MaxBackoff < MinBackoff) throw new ArgumentOutOfRangeException(nameof(MaxBackoff), MaxBackoff, "bank.transfers.max-backoff must be at least min-backoff.");
        if (Shards < 1) throw new ArgumentOutOfRangeException(nameof(Shards), Shards, "bank.transfers.shards must be at least 1.");
    }
}
