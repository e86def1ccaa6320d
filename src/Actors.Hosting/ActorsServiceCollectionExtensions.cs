using Actors.Core;
using Actors.Core.Logging;
using Actors.Persistence;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Actors.Persistence.Snapshots;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Actors.Hosting;

public static class ActorsServiceCollectionExtensions
{
    /// <summary>
    /// Registers an actor system with persistence, configured from <c>actors.*</c> keys (hocon/bank.conf),
    /// started and stopped with the host.
    /// </summary>
    public static IServiceCollection AddActors(this IServiceCollection services, IConfiguration configuration, Action<ActorsBuilder>? configure = null)
    {
        var builder = new ActorsBuilder();
        configure?.Invoke(builder);

        services.AddSingleton(_ =>
        {
            var registry = new EventTypeRegistry();
            foreach (var register in builder.EventTypeRegistrations) register(registry);
            return registry;
        });
        services.AddSingleton<IEventSerializer>(sp => new JsonEventSerializer(sp.GetRequiredService<EventTypeRegistry>()));
        services.AddSingleton(sp => builder.StoresFactory?.Invoke(sp)
            ?? JournalStores.FromConfiguration(configuration, sp.GetRequiredService<IEventSerializer>(), WriterId(configuration)));
        services.AddSingleton(sp => sp.GetRequiredService<JournalStores>().Journal);
        services.AddSingleton(sp => sp.GetRequiredService<JournalStores>().SnapshotStore);

        services.AddSingleton(sp =>
        {
            var settings = new ActorSystemSettings
            {
                Throughput = configuration.GetInt("actors:throughput", 100),
                AskTimeout = configuration.GetDuration("actors:ask-timeout", TimeSpan.FromSeconds(10)),
                LogSink = new MicrosoftLogSink(sp.GetRequiredService<ILoggerFactory>()),
            };
            foreach (var configureSettings in builder.SettingsOverrides) settings = configureSettings(settings);
            return ActorSystem.Create(configuration.GetString("actors:system-name", "actors"), settings);
        });
        services.AddSingleton(sp => Persistence.Persistence.Register(
            sp.GetRequiredService<ActorSystem>(),
            sp.GetRequiredService<IJournal>(),
            sp.GetRequiredService<ISnapshotStore>(),
            new PersistenceSettings
            {
                MaxConcurrentRecoveries = configuration.GetInt("actors:persistence:max-concurrent-recoveries", 50),
                WriterId = WriterId(configuration),
            }));
        services.AddHostedService(sp =>
        {
            sp.GetRequiredService<Persistence.Persistence>(); // persistence is registered before any actor can need it
            return new ActorSystemHostedService(
                sp.GetRequiredService<ActorSystem>(), sp.GetRequiredService<JournalStores>(), sp.GetRequiredService<ILogger<ActorSystemHostedService>>());
        });
        return services;
    }

    private static string WriterId(IConfiguration configuration) =>
        configuration.GetString("actors:persistence:writer-id", Environment.MachineName + "-" + Environment.ProcessId);
}
