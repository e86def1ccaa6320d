using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Akka.Persistence.Query;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Bank.Actors.Accounts;
using Bank.Actors.Hosting;

namespace Bank.Host.Hosting;

/// <summary>The actor system of the bank host, wired with Akka.Hosting from <see cref="BankHocon"/>.</summary>
public static class BankAkka
{
    public const string SystemName = "bank";

    /// <summary>
    /// The actor system (configured by hocon/*.conf), its log routed to Microsoft.Extensions.Logging, the accounts'
    /// shard region, and a node that joins itself when no seed nodes are configured, so that one node needs no set-up.
    /// </summary>
    public static IServiceCollection AddBankActorSystem(this IServiceCollection services, BankHocon hocon, Action<AkkaConfigurationBuilder, IServiceProvider>? configure = null)
    {
        var accounts = AccountSettings.From(hocon.Config.GetConfig("bank.accounts"));
        services.AddSingleton(accounts);
        services.AddAkka(SystemName, (builder, provider) =>
        {
            builder
                // Akka.Persistence.Sql's defaults (plugin classes, table mapping) under ours: the plugin injects them only
                // once its extension is loaded, which can be after the first persistent actor asks for its journal.
                .AddHocon(hocon.Config.WithFallback(SqlPersistence.DefaultConfiguration), HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithAccounts(accounts)
                .AddStartup((system, _) => JoinSelfWithoutSeeds(system))
                // The read journal's constructor blocks (up to 5 s) until the write journal is initialized. Made lazily by
                // the first request, it held a request thread and every request queued behind the singleton, starved the
                // thread pool of a 2-core machine, and ended in a 500 (AggregateException of an AskTimeoutException).
                .AddStartup((system, _) => ReadJournal(system));
            configure?.Invoke(builder, provider);
        });
        services.AddSingleton(provider => new AccountGateway(
            provider.GetRequiredService<IRequiredActor<AccountRegion>>().ActorRef, provider.GetRequiredService<BankHttpSettings>().AskTimeout));
        services.AddSingleton(provider =>
        {
            var system = provider.GetRequiredService<ActorSystem>();
            return new AccountHistory(ReadJournal(system), system.Materializer(), accounts.IdempotencyWindow);
        });
        return services;
    }

    /// <summary>The SQL read journal over the journal's tables (Akka.Persistence.Query).</summary>
    public static SqlReadJournal ReadJournal(ActorSystem system) =>
        PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);

    private static void JoinSelfWithoutSeeds(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        if (cluster.Settings.SeedNodes.Count == 0) cluster.Join(cluster.SelfAddress);
    }
}
