using Actors.Journal;
using Actors.Journal.Query;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence.Sql;
using Akka.Streams;
using Bank.Actors.Accounts;
using Bank.Actors.Hosting;
using Bank.Actors.ReadSide;
using Bank.Actors.Transfers;

namespace Bank.Host.Hosting;

/// <summary>The actor system of the bank host, wired with Akka.Hosting from <see cref="BankHocon"/>.</summary>
public static class BankAkka
{
    public const string SystemName = "bank";

    /// <summary>
    /// The actor system (configured by hocon/*.conf), its log routed to Microsoft.Extensions.Logging, the accounts'
    /// shard region, the projections' singleton (the read side of <see cref="BankReadSideExtensions.AddBankReadSide"/>), and a
    /// node that joins itself when no seed nodes are configured, so that one node needs no set-up.
    /// </summary>
    public static IServiceCollection AddBankActorSystem(this IServiceCollection services, BankHocon hocon, Action<AkkaConfigurationBuilder, IServiceProvider>? configure = null)
    {
        var accounts = AccountSettings.From(hocon.Config.GetConfig("bank.accounts"));
        services.AddSingleton(accounts);
        var transfers = TransferSettings.From(hocon.Config.GetConfig("bank.transfers"));
        services.AddSingleton(transfers);
        services.AddAkka(SystemName, (builder, provider) =>
        {
            builder
                // The plugins' defaults (classes, table mapping) under ours: Akka.Persistence.Sql injects its own only once its
                // extension is loaded, which can be after the first persistent actor asks for its journal.
                .AddHocon(hocon.AkkaConfig
                    .WithFallback(SqlPersistence.DefaultConfiguration)
                    .WithFallback(GroupCommitJournal.DefaultConfiguration)
                    .WithFallback(FastSqlReadJournal.ReferenceConfiguration), HoconAddMode.Prepend)
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithAccounts(accounts)
                // The read side's projections run once in the cluster, on the oldest node; every node asks them through the proxy.
                .WithSingleton<ProjectionsSingleton>(ProjectionsSingleton.Name,
                    (_, _, _) => ProjectionRunner.Props(provider.GetRequiredService<BankReadSide>),
                    new ClusterSingletonOptions
                    {
                        TerminationMessage = ProjectionRunner.Stop.Instance,
                        // Akka 1.5.75's proxy starts its "failed to find an associated singleton ... after 30 seconds" timer
                        // with no initial delay: every node warned falsely at start-up (akka.net#8568). GET /projections
                        // says where the projections run, or that they cannot be reached.
                        LogSingletonIdentificationFailure = false,
                    }, createProxyToo: true)
                .WithTransferRegion(transfers)
                .AddStartup((system, _) => JoinSelfWithoutSeeds(system))
                .AddStartup((system, _) => system.ActorOf(QuarantineShutdown.Props(), "quarantine-shutdown"))
                .AddStartup((system, _) => WakeReadJournalsOnCommit(system, hocon))
                // Akka.Persistence.Sql's read journal's constructor blocks (up to 5 s) until the write journal is initialized.
                // Made lazily by the first request, it held a request thread and every request queued behind the singleton,
                // starved the thread pool of a 2-core machine, and ended in a 500. Persistence Query keeps the plugin, so
                // the singleton below gets it at once.
                .AddStartup((system, _) => BankReadJournal.For(system, hocon));
            configure?.Invoke(builder, provider);
        });
        services.AddSingleton(provider => BankReadJournal.For(provider.GetRequiredService<ActorSystem>(), hocon));
        services.AddSingleton(provider => new NodeGuard(provider.GetRequiredService<ActorSystem>(), hocon));
        services.AddSingleton(provider => new AccountGateway(
            provider.GetRequiredService<IRequiredActor<AccountRegion>>().ActorRef, provider.GetRequiredService<BankHttpSettings>().AskTimeout));
        services.AddSingleton(provider => new TransferGateway(
            provider.GetRequiredService<IRequiredActor<TransferRegion>>().ActorRef, provider.GetRequiredService<BankHttpSettings>().AskTimeout));
        services.AddSingleton(provider =>
        {
            var system = provider.GetRequiredService<ActorSystem>();
            return new AccountHistory(provider.GetRequiredService<BankReadJournal>(), system.Materializer(), accounts.IdempotencyWindow);
        });
        services.AddSingleton(provider =>
            new TransferHistory(provider.GetRequiredService<BankReadJournal>(), provider.GetRequiredService<ActorSystem>().Materializer()));
        return services;
    }

    /// <summary>
    /// Our writer announces each commit in-process; our read journal's live queries wait for <see cref="JournalWritten"/>
    /// on the event stream. The host, which knows both, connects them (neither plugin depends on the other).
    /// </summary>
    private static void WakeReadJournalsOnCommit(ActorSystem system, BankHocon hocon)
    {
        if (hocon.JournalWriterPlugin != GroupCommitJournal.PluginId) return;
        var provider = hocon.Journal == JournalKind.Sqlite ? JournalProvider.Sqlite : JournalProvider.Postgres;
        var subscription = JournalCommits.Subscribe(provider, hocon.ConnectionString, highest => system.EventStream.Publish(new JournalWritten(highest)));
        system.RegisterOnTermination(subscription.Dispose);
    }

    private static void JoinSelfWithoutSeeds(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        if (cluster.Settings.SeedNodes.Count == 0) cluster.Join(cluster.SelfAddress);
    }
}
