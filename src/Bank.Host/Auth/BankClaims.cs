using System.Security.Claims;
using Bank.Domain;

namespace Bank.Host.Auth;

/// <summary>The claims and role names the bank reads from a token, and who a request's caller is.</summary>
public static class BankClaims
{
    public const string Subject = "sub";
    public const string Role = "role";

    public const string Customer = "customer";
    public const string Teller = "teller";
    public const string Admin = "admin";

    /// <summary>
    /// Who the caller is, for the domain: its subject and the role it acts in (a staff role wins over customer, teller
    /// over admin). Null for an anonymous caller, which only happens with authentication off.
    /// </summary>
    public static Issuer? Issuer(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true || user.FindFirst(Subject)?.Value is not { Length: > 0 } subject) return null;
        var role = user.IsInRole(Teller) ? Domain.Role.Teller
            : user.IsInRole(Admin) ? Domain.Role.Admin
            : Domain.Role.Customer;
        return new Issuer(subject, role);
    }

    /// <summary>The customer's subject when the caller acts as a customer (whose view is limited to its own accounts); else null.</summary>
    public static string? CustomerSubject(this ClaimsPrincipal user) => user.Issuer() is { Role: Domain.Role.Customer } customer ? customer.Subject : null;
}
