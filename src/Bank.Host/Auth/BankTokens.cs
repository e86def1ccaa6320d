using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bank.Host.Auth;

/// <summary>Mints bearer tokens as the bank reads them (<c>sub</c>, <c>role</c>, issuer, audience, expiry), signed with HS256.</summary>
public static class BankTokens
{
    public static string Mint(SymmetricSecurityKey key, string issuer, string audience, string subject, IReadOnlyCollection<string> roles,
        DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentNullException.ThrowIfNull(roles);
        var claims = new Dictionary<string, object> { [BankClaims.Subject] = subject };
        if (roles.Count == 1) claims[BankClaims.Role] = roles.First();
        else if (roles.Count > 1) claims[BankClaims.Role] = roles.ToArray();
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A token the host accepts in development: signed with the development key, for the configured issuer and audience.</summary>
    public static string MintDevelopment(BankAuthSettings settings, string subject, IReadOnlyCollection<string> roles, DateTimeOffset now, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Mint(settings.DevelopmentSigningKey(), settings.Issuer, settings.Audience, subject, roles, now, lifetime ?? settings.DevelopmentTokenLifetime);
    }
}
