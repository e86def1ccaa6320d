using Akka.Actor;
using Bank.ReadModels;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bank.Host.Hosting;

public static class BankReadSideExtensions
{
    /// <summary>
    /// The read side (<see cref="BankReadSide"/>), run by a hosted service added after the actor system's, so that it starts
    /// once the journal is up and stops before the actor system does.
    /// </summary>
    public static IServiceCollection AddBankReadSide(this IServiceCollection services, BankHocon hocon)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(hocon);
        services.TryAddSingleton(_ => BankReadModelSettings.From(hocon.Config));
        services.TryAddSingleton(provider => new BankReadSide(
            provider.GetRequiredService<ActorSystem>(), provider.GetRequiredService<BankReadJournal>(), hocon, provider.GetRequiredService<BankReadModelSettings>(),
            provider.GetRequiredService<JournalPositions>()));
        services.AddHostedService<BankReadSideService>();
        return services;
    }
}
