using Akka.Actor;
using Akka.Persistence;

namespace Bank.Host.Hosting;

/// <summary>
/// Readies the read side with the host, and stops it on this node with the host. Registered after the actor system's service, so it starts once the journal is
/// initialized and stops before the journal closes; the server stops before both, after the event streams have
/// ended with ApplicationStopping.
/// </summary>
/// <remarks>
/// The read side is resolved when the service starts, not when it is constructed: the host constructs every hosted
/// service before it starts the first, and resolving the read side resolves the actor system, which must not exist
/// before <see cref="JournalDatabase"/> has readied the database.
/// </remarks>
internal sealed class BankReadSideService(IServiceProvider services, ILogger<BankReadSideService> logger) : IHostedService
{
    private BankReadSide? _readSide;

    private static readonly TimeSpan JournalStartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Waits for the journal's tables (a new database gets them when the journal plugin starts, which this asks for),
    /// then creates the read model's tables if missing and reads the stored offsets; the projections may then run.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _readSide = services.GetRequiredService<BankReadSide>();
        Persistence.Instance.Apply(services.GetRequiredService<ActorSystem>()).JournalFor(null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(JournalStartTimeout);
        try
        {
            while (!await _readSide.Positions.JournalExistsAsync(timeout.Token).ConfigureAwait(false))
                await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"The journal's tables did not appear within {JournalStartTimeout.TotalSeconds:0} s of its start: see the journal's log.");
        }
        try
        {
            foreach (var projection in _readSide.Projections.Projections) await projection.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _readSide.MarkInitializationFailed(e);
            throw;
        }
        // The projections themselves run on one node of the cluster: the singleton ProjectionRunner starts them there.
        _readSide.MarkInitialized();
    }

    /// <summary>
    /// Stops the projections if they run here (a batch in flight commits or rolls back) within the host's shutdown timeout,
    /// then releases the read model's database. The singleton moves to another node when Akka leaves the cluster after this.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_readSide is not { } readSide) return;
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
