using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Bank.Host.Auth;

/// <summary>
/// A bank policy's whole test in one requirement (its own handler): an authenticated caller, with a subject (<c>sub</c>),
/// in one of <paramref name="roles"/>. It admits exactly whom RequireAuthenticatedUser().RequireClaim("sub").RequireRole(roles)
/// admits, in one pass over the caller's claims; those three requirements run three handlers, each enumerating the
/// claims again with delegates of its own, on every request.
/// </summary>
internal sealed class BankRoleRequirement(IReadOnlyList<string> roles) : AuthorizationHandler<BankRoleRequirement>, IAuthorizationRequirement
{
    public IReadOnlyList<string> Roles { get; } = roles;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, BankRoleRequirement requirement)
    {
        if (requirement.Admits(context.User)) context.Succeed(requirement);
        return Task.CompletedTask;
    }

    /// <summary>
    /// As the stock requirements compare: claim types ignoring case; the role a value of an identity's own role claim
    /// type, compared exactly (ClaimsPrincipal.IsInRole).
    /// </summary>
    public bool Admits(ClaimsPrincipal user)
    {
        bool authenticated = false, subject = false, inRole = false;
        foreach (var identity in user.Identities)
        {
            authenticated |= identity.IsAuthenticated;
            foreach (var claim in identity.Claims)
            {
                if (string.Equals(claim.Type, BankClaims.Subject, StringComparison.OrdinalIgnoreCase)) subject = true;
                if (!inRole && string.Equals(claim.Type, identity.RoleClaimType, StringComparison.OrdinalIgnoreCase)) inRole = IsOneOfRoles(claim.Value);
            }
        }
        return authenticated && subject && inRole;
    }

    private bool IsOneOfRoles(string value)
    {
        foreach (var role in Roles)
            if (string.Equals(role, value, StringComparison.Ordinal)) return true;
        return false;
    }
}
