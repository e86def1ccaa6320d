using System.Text.Json;
using System.Text.Json.Serialization;
using Actors.Core;
using Actors.Hosting;
using Actors.Persistence.Journal;
using Actors.Persistence.Serialization;
using Bank.Actors;
using Bank.Host.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PersistenceExtension = Actors.Persistence.Persistence;

namespace Bank.Host.Hosting;

/// <summary>The composition root of the bank host. Configuration is read when the services are built, not before.</summary>
public static class BankHostServiceCollectionExtensions
{
    /// <summary>Everything the bank host needs: the actor runtime, the accounts, the read side, and the HTTP API around them.</summary>
    public static IServiceCollection AddBankHost(this IServiceCollection services, IConfiguration configuration, Action<ActorsBuilder>? configureActors = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddBankAccounts(configuration, configureActors);
        services.AddBankReadSide(configuration);
        services.AddBankHttp();
        return services;
    }

    /// <summary>The actor runtime with the bank's event types, the account region, and the ways to reach it.</summary>
    public static IServiceCollection AddBankAccounts(this IServiceCollection services, IConfiguration configuration, Action<ActorsBuilder>? configureActors = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddActors(configuration, actors =>
        {
            actors.RegisterEventTypes(registry => BankEventTypes.Register(registry));
            configureActors?.Invoke(actors);
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => ReadAccountSettings(configuration));
        services.TryAddSingleton(_ => BankHttpSettings.From(configuration));
        services.TryAddSingleton(sp =>
        {
            // Persistence must be registered with the system before the first persistent actor starts.
            sp.GetRequiredService<PersistenceExtension>();
            var system = sp.GetRequiredService<ActorSystem>();
            var region = system.ActorOf(AccountRegion.Props(sp.GetRequiredService<AccountSettings>()), AccountRegion.Name);
            return new AccountGateway(region, sp.GetRequiredService<BankHttpSettings>().AskTimeout);
        });
        services.TryAddSingleton(sp => new AccountHistory(sp.GetRequiredService<IJournal>(), sp.GetRequiredService<AccountSettings>().IdempotencyWindow));
        services.AddHostedService<AccountRegionStarter>();
        return services;
    }

    /// <summary>
    /// The read journal over the configured journal, the "bank-accounts" projection in the journal's database (an
    /// in-memory SQLite database for the in-memory journal) and its queries, run with the host after the journal.
    /// Register a <see cref="QueryStores"/> of your own for a journal that has no read journal of its own.
    /// </summary>
    public static IServiceCollection AddBankReadSide(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(_ => BankReadModelSettings.From(configuration));
        services.TryAddSingleton(sp => QueryStores.For(
            sp.GetRequiredService<JournalStores>().Journal, sp.GetRequiredService<IEventSerializer>(), QueryStores.ReadOptions(configuration)));
        services.TryAddSingleton(sp => new BankReadSide(
            sp.GetRequiredService<QueryStores>(), sp.GetRequiredService<BankReadModelSettings>(), sp.GetRequiredService<ActorSystem>().LogSink));
        services.AddHostedService<BankReadSideService>();
        return services;
    }

    /// <summary><c>bank.accounts.*</c>.</summary>
    public static AccountSettings ReadAccountSettings(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        const string section = "bank:accounts";
        var defaults = new AccountSettings();
        return new AccountSettings
        {
            SnapshotEvery = configuration.GetInt($"{section}:snapshot-every", defaults.SnapshotEvery),
            KeepSnapshots = configuration.GetInt($"{section}:keep-snapshots", defaults.KeepSnapshots),
            PassivateAfter = configuration.GetDuration($"{section}:passivate-after", defaults.PassivateAfter),
            IdempotencyWindow = configuration.GetInt($"{section}:idempotency-window", defaults.IdempotencyWindow),
        };
    }

    private static void AddBankHttp(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemResults.Customize);
        services.AddExceptionHandler<BankExceptionHandler>();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true); // mapped to problems by BankExceptionHandler
        services.ConfigureHttpJsonOptions(options => ConfigureJson(options.SerializerOptions));
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>>(sp => new ConfigureOptions<KestrelServerOptions>(
            kestrel => kestrel.Limits.MaxRequestBodySize = sp.GetRequiredService<BankHttpSettings>().MaxBodySize));
        // A keep-alive connection reads straight into a pooled buffer (one receive per request) instead of waiting for data
        // with a zero-byte read first (two): fewer system calls per request, for a 4 KiB buffer per connection while it waits.
        services.Configure<SocketTransportOptions>(sockets => sockets.WaitForDataBeforeAllocatingBuffer = false);
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Bank API";
                document.Info.Description = "Event-sourced bank accounts. Errors are RFC 9457 problem details with a stable 'type' "
                                            + $"({ProblemType.UriPrefix}<code>) and 'code'; 'field' and 'errors' name the input at fault.";
                return Task.CompletedTask;
            });
            // Amounts are exact decimals, not binary floating point.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(decimal) || context.JsonTypeInfo.Type == typeof(decimal?)) schema.Format = "decimal";
                return Task.CompletedTask;
            });
        });
    }

    /// <summary>Amounts are JSON numbers read as decimal; strings for numbers, unknown fields and trailing commas are refused.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowTrailingCommas = false;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }
}
