using System.Globalization;
using System.Threading.RateLimiting;
using Bank.Host.Hosting;
using Bank.Host.Http;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.IdentityModel.Tokens;

namespace Bank.Host.Auth;

/// <summary>Authentication (JWT bearer), the bank's policies and the abuse limits, from <c>bank.auth</c> and <c>bank.limits</c>.</summary>
public static class BankAccessControlExtensions
{
    /// <summary>The rate limiting policy of the commands: <see cref="BankLimitSettings.CommandsPerSecond"/> per subject, or per IP without a token.</summary>
    public const string CommandsRateLimit = "bank-commands";

    public static IServiceCollection AddBankAccessControl(this IServiceCollection services, BankHocon hocon)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(hocon);
        var auth = BankAuthSettings.From(hocon.Config);
        var limits = BankLimitSettings.From(hocon.Config);
        services.AddSingleton(auth);
        services.AddSingleton(limits);
        services.AddSingleton<EventStreamLimits>();
        // First of the hosted services: a host that must not start stops before it opens its database.
        services.AddHostedService<AccessControlStartupCheck>();

        if (auth.Enabled) services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options => ConfigureJwtBearer(options, auth));
        else services.AddAuthentication();
        services.AddAuthorization(options =>
        {
            foreach (var (policy, roles) in BankPolicies.Roles)
            {
                options.AddPolicy(policy, builder =>
                {
                    // Authentication off: every policy admits anyone (the host warned at start-up).
                    if (auth.Enabled) builder.AddRequirements(new BankRoleRequirement(roles));
                    else builder.RequireAssertion(_ => true);
                });
            }
        });
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(CommandsRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(PartitionKey(http), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limits.CommandsPerSecond,
                Window = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
            options.OnRejected = (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                return new ValueTask(ProblemResults.TooManyRequests(context.HttpContext,
                        $"More than {limits.CommandsPerSecond} commands per second from one caller. Retry after {seconds} s.", seconds)
                    .ExecuteAsync(context.HttpContext));
            };
        });
        return services;
    }

    /// <summary>Authentication, rate limiting and authorization, after routing (the endpoint's policies are known by then).</summary>
    public static WebApplication UseBankAccessControl(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRouting();
        app.UseAuthentication();
        // Before authorization: a flood of commands without a (valid) token is limited per IP address before it costs more.
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Who a limit counts against: the token's subject, else the client's IP address.</summary>
    internal static string PartitionKey(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true && http.User.FindFirst(BankClaims.Subject)?.Value is { Length: > 0 } subject
            ? "sub:" + subject
            : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    private static void ConfigureJwtBearer(JwtBearerOptions options, BankAuthSettings auth)
    {
        options.MapInboundClaims = false; // "sub" and "role" stay as the token names them
        if (auth.TokenCacheMaxEntries > 0)
        {
            // The stock handler, remembering the tokens it verified (bank.auth.token-cache); it maps no claims either.
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new CachingJsonWebTokenHandler(new ValidatedTokenCache(auth.TokenCacheMaxEntries, auth.TokenCacheMaxAge)) { MapInboundClaims = false });
        }
        if (auth.Authority is { } authority)
        {
            options.Authority = authority;
            options.RequireHttpsMetadata = auth.RequireHttpsMetadata;
        }
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = auth.Issuer,
            ValidateAudience = true,
            ValidAudience = auth.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            IssuerSigningKeys = auth.IssuerSigningKeys(),
            ValidAlgorithms = auth.Algorithms,
            ClockSkew = auth.ClockSkew,
            NameClaimType = BankClaims.Subject,
            RoleClaimType = auth.RoleClaim,
        };
        options.Events = new JwtBearerEvents
        {
            OnChallenge = async context =>
            {
                context.HandleResponse();
                var detail = Why(context.AuthenticateFailure, hasToken: context.Request.Headers.Authorization.Count > 0);
                context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
                    ? "Bearer"
                    : $"Bearer error=\"invalid_token\", error_description=\"{detail.Replace("\"", "'", StringComparison.Ordinal)}\"";
                await ProblemResults.Problem(ProblemTypes.Unauthorized, detail).ExecuteAsync(context.HttpContext);
            },
            OnForbidden = context => ProblemResults.Problem(ProblemTypes.Forbidden,
                "The token does not carry a role allowed here (customer, teller or admin, as the operation's documentation says).").ExecuteAsync(context.HttpContext),
        };
    }

    /// <summary>Why a token was refused, in words a client can act on; never the key or the token itself.</summary>
    private static string Why(Exception? failure, bool hasToken) => failure switch
    {
        null when !hasToken => "A bearer token is required: send 'Authorization: Bearer <token>'.",
        null => "The Authorization header does not hold a bearer token.",
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet (nbf).",
        SecurityTokenNoExpirationException => "The token has no expiry (exp).",
        SecurityTokenInvalidAudienceException => $"The token is not meant for this API (its audience is wrong).",
        SecurityTokenInvalidIssuerException => "The token was issued by an issuer this API does not trust.",
        SecurityTokenInvalidAlgorithmException => "The token is signed with an algorithm this API does not accept.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token's signature is missing or not valid.",
        _ => "The token is not valid.",
    };
}

/// <summary>
/// Refuses to start with the development key in Production (everybody has it, so anybody could mint any role), and
/// says loudly when authentication is off.
/// </summary>
internal sealed class AccessControlStartupCheck(BankAuthSettings auth, IHostEnvironment environment, ILogger<AccessControlStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!auth.Enabled)
        {
            logger.LogWarning("AUTHENTICATION IS OFF (BANK_AUTH=off / bank.auth.enabled = off): anyone who reaches this host can open, drain and read "
                              + "every account, rebuild projections and follow every event. For local experiments only.");
            return Task.CompletedTask;
        }
        if (auth.UsesDevelopmentKey && environment.IsProduction())
            throw new InvalidOperationException("Refusing to start: tokens would be verified with the development key from hocon/bank.conf, which everybody has, "
                                                + "and the environment is Production. Set BANK_AUTH_SIGNING_KEY (or bank.auth.signing-key) to your own key, or "
                                                + "BANK_AUTH_AUTHORITY to your OpenID Connect provider, or run with ASPNETCORE_ENVIRONMENT=Development.");
        if (auth.UsesDevelopmentKey)
            logger.LogWarning("Tokens are verified with the development key from hocon/bank.conf (environment {Environment}): anyone can mint them. Not for production.",
                environment.EnvironmentName);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
