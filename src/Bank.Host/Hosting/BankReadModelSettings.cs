using Akka.Configuration;
using Bank.ReadModels.Projections;

namespace Bank.Host.Hosting;

/// <summary>The read side of the bank, from <c>bank.read-model</c> (the read journal itself: <c>akka.persistence.query.journal.sql</c>).</summary>
public sealed record BankReadModelSettings
{
    /// <summary>How the "bank-accounts" projection batches, backs off and checks for holes (<c>bank.read-model.projection</c>).</summary>
    public ProjectionSettings Projection { get; init; } = new();

    /// <summary>
    /// How long a query with <c>?minOffset=</c> waits for the read model to reach that offset before it answers
    /// 503 read-model-behind. Zero: never wait, answer at once.
    /// </summary>
    public TimeSpan ReadYourWritesTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public static BankReadModelSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ProjectionSettings projection;
        try
        {
            projection = ProjectionSettings.FromConfig(config.GetConfig("bank.read-model.projection"));
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"The settings under 'bank.read-model.projection' are not valid: {e.Message}", e);
        }
        var timeout = config.GetTimeSpan("bank.read-model.read-your-writes-timeout", TimeSpan.FromSeconds(5));
        if (timeout < TimeSpan.Zero || timeout > TimeSpan.FromMinutes(5))
            throw new InvalidOperationException($"bank.read-model.read-your-writes-timeout must be 0 to 5 minutes, not {timeout}.");
        return new BankReadModelSettings { Projection = projection, ReadYourWritesTimeout = timeout };
    }
}
