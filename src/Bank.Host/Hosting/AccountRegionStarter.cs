using Bank.Actors;

namespace Bank.Host.Hosting;

/// <summary>
/// Starts the account region with the host (after the journal is initialized, as it is registered after it), so
/// that bad settings fail the start instead of the first request.
/// </summary>
internal sealed class AccountRegionStarter(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<BankHttpSettings>();
        services.GetRequiredService<AccountGateway>();
        services.GetRequiredService<AccountHistory>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask; // the actor system stops the region
}
