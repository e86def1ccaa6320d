namespace Bank.Host.Hosting;

/// <summary>
/// Runs the read side with the host. Registered after the actor system's service, so it starts once the journal is
/// initialized and stops before the journal closes; the server stops before both, after the event streams have
/// ended with ApplicationStopping.
/// </summary>
internal sealed class BankReadSideService(BankReadSide readSide, ILogger<BankReadSideService> logger) : IHostedService
{
    /// <summary>Creates the read model's tables if missing and starts the projections from their stored offsets.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => readSide.Projections.StartAsync(cancellationToken);

    /// <summary>
    /// Stops the projections (a batch in flight commits or rolls back) within the host's shutdown timeout, then releases
    /// the read journal and the databases.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await readSide.Projections.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The projections did not stop before the host's shutdown timeout.");
        }
        await readSide.DisposeAsync().ConfigureAwait(false);
    }
}
