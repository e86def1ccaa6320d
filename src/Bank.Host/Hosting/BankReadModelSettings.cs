using Actors.Hosting;
using Actors.Persistence.Query.Projections;

namespace Bank.Host.Hosting;

/// <summary>The read side of the bank, from <c>bank.read-model.*</c> (the read journal itself: <c>actors.persistence.query.*</c>).</summary>
public sealed record BankReadModelSettings
{
    public const string Section = "bank:read-model";

    /// <summary>How the "bank-accounts" projection batches and backs off.</summary>
    public ProjectionSettings Projection { get; init; } = new();

    /// <summary>
    /// How long a query with <c>?minOffset=</c> waits for the read model to reach that offset before it answers
    /// 503 read-model-behind. Zero: never wait, answer at once.
    /// </summary>
    public TimeSpan ReadYourWritesTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public static BankReadModelSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var defaults = new ProjectionSettings();
        var projection = defaults with
        {
            MaxBatchSize = configuration.GetInt($"{Section}:max-batch-size", defaults.MaxBatchSize),
            BufferSize = configuration.GetInt($"{Section}:buffer-size", defaults.BufferSize),
            MinBackoff = configuration.GetDuration($"{Section}:min-backoff", defaults.MinBackoff),
            MaxBackoff = configuration.GetDuration($"{Section}:max-backoff", defaults.MaxBackoff),
            ProgressLogInterval = configuration.GetDuration($"{Section}:progress-log-interval", defaults.ProgressLogInterval),
        };
        try
        {
            projection.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidOperationException($"The settings under '{Section}' are not valid: {e.Message}", e);
        }

        var timeout = configuration.GetDuration($"{Section}:read-your-writes-timeout", TimeSpan.FromSeconds(5));
        if (timeout < TimeSpan.Zero || timeout > TimeSpan.FromMinutes(5))
            throw new InvalidOperationException($"Configuration key '{Section}:read-your-writes-timeout' must be 0 to 5 minutes, not {timeout}.");
        return new BankReadModelSettings { Projection = projection, ReadYourWritesTimeout = timeout };
    }
}
