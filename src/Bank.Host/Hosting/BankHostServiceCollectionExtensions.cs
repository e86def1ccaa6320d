using Actors.Journal;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Hosting;
using Bank.Host.Auth;
using Bank.Host.Http;
using Bank.ReadModels;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bank.Host.Hosting;

/// <summary>The composition root of the bank host.</summary>
public static class BankHostServiceCollectionExtensions
{
    /// <summary>
    /// Everything the bank host needs: the journal's database readied, the actor system with the accounts, the read
    /// side, and the HTTP API around them. <paramref name="configureAkka"/> lets tests and tools add to the actor system.
    /// </summary>
    public static IServiceCollection AddBankHost(this IServiceCollection services, BankHocon hocon,
        Action<AkkaConfigurationBuilder, IServiceProvider>? configureAkka = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(hocon);
        services.TryAddSingleton(hocon);
        services.TryAddSingleton(_ => BankHttpSettings.From(hocon.Config));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => JournalPositionsOf(hocon));
        // Hosted services start in the order they are added: the access control's start-up check first, then the
        // database is readied before the actor system starts.
        services.AddBankAccessControl(hocon);
        services.AddHostedService<JournalDatabase>();
        services.AddBankActorSystem(hocon, configureAkka);
        services.AddBankReadSide(hocon);
        services.AddBankHttp();
        return services;
    }

    private static JournalPositions JournalPositionsOf(BankHocon hocon)
    {
        var database = hocon.Journal == JournalKind.Sqlite
            ? JournalPositions.Sqlite(hocon.ConnectionString)
            : JournalPositions.Postgres(hocon.ConnectionString);
        if (hocon.JournalWriterPlugin != GroupCommitJournal.PluginId) return database;
        var provider = hocon.Journal == JournalKind.Sqlite ? JournalProvider.Sqlite : JournalProvider.Postgres;
        return new LastWritesFirstPositions(database, JournalCommits.RememberLastWrites(provider, hocon.ConnectionString));
    }

    private static void AddBankHttp(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemResults.Customize);
        services.AddExceptionHandler<BankExceptionHandler>();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true); // mapped to problems by BankExceptionHandler
        services.ConfigureHttpJsonOptions(options => ConfigureJson(options.SerializerOptions));
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>>(sp => new ConfigureOptions<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = sp.GetRequiredService<BankHttpSettings>().MaxBodySize;
            // Above the bank's own limit (RequestHeaderLimitMiddleware), which answers with a problem; Kestrel's answers bare.
            var headers = sp.GetRequiredService<BankLimitSettings>().MaxHeaderSize;
            kestrel.Limits.MaxRequestHeadersTotalSize = (int)Math.Min(int.MaxValue / 2, Math.Max(32 * 1024, headers * 2));
        }));
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Bank API";
                document.Info.Description = "Event-sourced bank accounts on Akka.NET. Errors are RFC 9457 problem details with a stable 'type' "
                                            + $"({ProblemType.UriPrefix}<code>) and 'code'; 'field' and 'errors' name the input at fault.";
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer<BearerSecurityTransformer>();
            options.AddOperationTransformer<BearerSecurityTransformer>();
            // Amounts are exact decimals, not binary floating point.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(decimal) || context.JsonTypeInfo.Type == typeof(decimal?)) schema.Format = "decimal";
                return Task.CompletedTask;
            });
        });
    }

    /// <summary>
    /// Amounts are JSON numbers judged on their text and written with two decimals (<see cref="MoneyJsonConverter"/>);
    /// strings for numbers, unknown fields and trailing commas are refused.
    /// </summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.AllowTrailingCommas = false;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new MoneyJsonConverter());
    }
}
