using Actors.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Hosting;

/// <summary>
/// Ties the actor system to the host's lifetime: the journal is ready before the host serves, and on shutdown
/// every actor stops (children before parents) before the journal closes, so pending writes finish.
/// </summary>
internal sealed class ActorSystemHostedService(ActorSystem system, JournalStores stores, ILogger<ActorSystemHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await stores.InitializeAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Actor system {System} started with the {Provider} journal.", system.Name, stores.Provider);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await system.Terminate().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Actor system {System} did not stop before the host's shutdown timeout.", system.Name);
        }
        await stores.DisposeAsync().ConfigureAwait(false);
    }
}
