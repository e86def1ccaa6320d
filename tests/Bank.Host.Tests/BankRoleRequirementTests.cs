using System.Security.Claims;
using Bank.Host.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace Bank.Host.Tests;

/// <summary>
/// The bank's one-pass policy requirement admits exactly whom the stock chain RequireAuthenticatedUser().RequireClaim("sub")
/// .RequireRole(roles) admits, caller by caller.
/// </summary>
public sealed class BankRoleRequirementTests
{
    private static readonly string[] Staff = [BankClaims.Customer, BankClaims.Teller];

    public static TheoryData<string, ClaimsPrincipal> Callers() => new()
    {
        { "anonymous", new ClaimsPrincipal(new ClaimsIdentity()) },
        { "no identity at all", new ClaimsPrincipal() },
        { "a teller with a subject", Caller(("sub", "ada"), ("role", "teller")) },
        { "a customer with a subject", Caller(("sub", "ada"), ("role", "customer")) },
        { "an admin only", Caller(("sub", "ada"), ("role", "admin")) },
        { "a teller without a subject", Caller(("role", "teller")) },
        { "a subject without a role", Caller(("sub", "ada")) },
        { "the role in another case", Caller(("sub", "ada"), ("role", "Teller")) },
        { "the claim types in another case", Caller(("SUB", "ada"), ("ROLE", "teller")) },
        { "an empty subject", Caller(("sub", ""), ("role", "teller")) },
        { "admin and teller", Caller(("sub", "ada"), ("role", "admin"), ("role", "teller")) },
        { "the role under another claim type", Caller(("sub", "ada"), ("roles", "teller")) },
        { "the identity's own role claim type", new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "ada"), new Claim("roles", "teller")], "Bearer", "sub", "roles")) },
        { "the role claim in an anonymous identity", Caller(("sub", "ada")).With(new ClaimsIdentity([new Claim("role", "teller")], null, "sub", "role")) },
        { "the subject in an anonymous identity", Caller(("role", "teller")).With(new ClaimsIdentity([new Claim("sub", "ada")])) },
        { "an anonymous identity holding everything", new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "ada"), new Claim("role", "teller")], null, "sub", "role")) },
    };

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Admits_the_same_callers_as_the_stock_requirements(string caller, ClaimsPrincipal user)
    {
        var stock = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(BankClaims.Subject).RequireRole(Staff).Build();
        var expected = await SucceedsAsync(stock.Requirements, user);

        var ours = new BankRoleRequirement(Staff);
        Assert.True(expected == ours.Admits(user), $"{caller}: the stock requirements say {expected}");
        Assert.Equal(expected, await SucceedsAsync([ours], user));
    }

    [Fact]
    public void The_callers_cover_both_answers()
    {
        var answers = Callers().Select(row => new BankRoleRequirement(Staff).Admits((ClaimsPrincipal)row[1])).ToHashSet();
        Assert.Equal(2, answers.Count);
    }

    private static async Task<bool> SucceedsAsync(IReadOnlyList<IAuthorizationRequirement> requirements, ClaimsPrincipal user)
    {
        var context = new AuthorizationHandlerContext(requirements, user, resource: null);
        foreach (var handler in requirements.OfType<IAuthorizationHandler>()) await handler.HandleAsync(context);
        return context.HasSucceeded;
    }

    private static ClaimsPrincipal Caller(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "Bearer", "sub", "role"));
}

internal static class PrincipalExtensions
{
    public static ClaimsPrincipal With(this ClaimsPrincipal user, ClaimsIdentity identity)
    {
        user.AddIdentity(identity);
        return user;
    }
}
