using Bank.Host.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Bank.Host.Auth;

/// <summary>
/// Who may call an endpoint, as authorization policies: one line per endpoint (<see cref="RequireBankPolicy{TBuilder}"/>).
/// Which accounts a customer sees is narrowed further by the endpoint (or <see cref="OwnAccountFilter"/>) and the account itself.
/// </summary>
public static class BankPolicies
{
    /// <summary>Customers (their own accounts) and tellers (every account): account commands and reads, lists, stats.</summary>
    public const string Accounts = "bank-accounts";

    /// <summary>Customers (their own accounts' events) and admins (every event): the live event feed.</summary>
    public const string EventFeed = "bank-event-feed";

    /// <summary>Admins: projections, the cluster view.</summary>
    public const string Admin = "bank-admin";

    private const string ProblemContentType = "application/problem+json";

    /// <summary>The roles each policy admits.</summary>
    public static IReadOnlyDictionary<string, string[]> Roles { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [Accounts] = [BankClaims.Customer, BankClaims.Teller],
        [EventFeed] = [BankClaims.Customer, BankClaims.Admin],
        [Admin] = [BankClaims.Admin],
    };

    /// <summary>
    /// The endpoint needs a token with one of the policy's roles: 401 without a valid one, 403 with the wrong role (both
    /// documented in the OpenAPI document, with the bearer scheme). With authentication off, anyone may call it.
    /// </summary>
    public static TBuilder RequireBankPolicy<TBuilder>(this TBuilder builder, string policy) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!Roles.ContainsKey(policy)) throw new ArgumentOutOfRangeException(nameof(policy), policy, "Not a bank policy.");
        return builder.RequireAuthorization(policy).WithMetadata(
            new BankPolicyMetadata(policy),
            new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), [ProblemContentType]),
            new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(ProblemDetails), [ProblemContentType]));
    }

    /// <summary>
    /// A command on accounts (open, deposit, withdraw, close, a transfer): customers and tellers, and the per-subject
    /// command rate limit (429 with Retry-After). The account itself then refuses a customer that does not own it.
    /// </summary>
    public static RouteHandlerBuilder AsAccountCommand(this RouteHandlerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.RequireBankPolicy(Accounts).RequireRateLimiting(BankAccessControlExtensions.CommandsRateLimit);
    }

    /// <summary>
    /// For endpoints on one account (route value <c>id</c>): a customer gets 404 for an account it does not own, exactly
    /// as for one that does not exist, so ids do not leak. The account's owner is asked of the account itself.
    /// </summary>
    public static RouteHandlerBuilder RequireOwnAccount(this RouteHandlerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter<OwnAccountFilter>();
    }
}

/// <summary>Marks an endpoint as protected by <see cref="Policy"/>, for the OpenAPI document.</summary>
public sealed record BankPolicyMetadata(string Policy);
