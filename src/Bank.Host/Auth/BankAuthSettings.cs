using System.Security.Cryptography;
using Akka.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace Bank.Host.Auth;

/// <summary>How callers prove who they are: <c>bank.auth</c> in hocon/bank.conf.</summary>
public sealed record BankAuthSettings
{
    public bool Enabled { get; init; } = true;

    public string Issuer { get; init; } = "bank-development";

    public string Audience { get; init; } = "bank-api";

    /// <summary>An OpenID Connect provider whose discovery document gives the signing keys; null when none.</summary>
    public string? Authority { get; init; }

    public bool RequireHttpsMetadata { get; init; } = true;

    /// <summary>
    /// The keys that verify tokens, as text (base64 secrets or PEM public keys): signing-key, then additional-signing-keys;
    /// the development key when neither they nor an authority are configured.
    /// </summary>
    public IReadOnlyList<string> SigningKeys { get; init; } = [];

    /// <summary>The development key (base64): known to everybody, refused in Production, used by the token command.</summary>
    public string DevelopmentKey { get; init; } = "";

    public IReadOnlyList<string> Algorithms { get; init; } = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    public string RoleClaim { get; init; } = BankClaims.Role;

    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan DevelopmentTokenLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>How many verified tokens are remembered (<see cref="ValidatedTokenCache"/>); 0: none, every request verifies its token.</summary>
    public int TokenCacheMaxEntries { get; init; } = 10_000;

    /// <summary>How long a verified token is remembered at most (and never past its exp).</summary>
    public TimeSpan TokenCacheMaxAge { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>True when one of the keys that verify tokens is the development key.</summary>
    public bool UsesDevelopmentKey => SigningKeys.Any(key => string.Equals(key.Trim(), DevelopmentKey.Trim(), StringComparison.Ordinal));

    public static BankAuthSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var defaults = new BankAuthSettings();
        var enabledText = config.GetString("bank.auth.enabled", "on").Trim().ToLowerInvariant();
        var enabled = enabledText switch
        {
            "on" or "true" or "yes" or "1" => true,
            "off" or "false" or "no" or "0" => false,
            _ => throw new InvalidOperationException($"bank.auth.enabled (or BANK_AUTH) is '{enabledText}'; it must be on or off."),
        };
        List<string> keys = [];
        if (config.GetString("bank.auth.signing-key", "") is { Length: > 0 } key && !string.IsNullOrWhiteSpace(key)) keys.Add(key.Trim());
        if (config.HasPath("bank.auth.additional-signing-keys"))
            keys.AddRange(config.GetStringList("bank.auth.additional-signing-keys").Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim()));
        var authority = config.GetString("bank.auth.authority", "")?.Trim();
        var developmentKey = config.GetString("bank.auth.development-key", "").Trim();
        // No key and no provider: a newcomer's host, which verifies the tokens the token command mints.
        if (keys.Count == 0 && string.IsNullOrEmpty(authority) && developmentKey.Length > 0) keys.Add(developmentKey);
        var settings = new BankAuthSettings
        {
            Enabled = enabled,
            Issuer = config.GetString("bank.auth.issuer", defaults.Issuer).Trim(),
            Audience = config.GetString("bank.auth.audience", defaults.Audience).Trim(),
            Authority = string.IsNullOrEmpty(authority) ? null : authority,
            RequireHttpsMetadata = config.GetBoolean("bank.auth.require-https-metadata", true),
            SigningKeys = keys,
            DevelopmentKey = developmentKey,
            Algorithms = config.HasPath("bank.auth.algorithms") ? config.GetStringList("bank.auth.algorithms").Select(a => a.Trim()).ToList() : defaults.Algorithms,
            RoleClaim = config.GetString("bank.auth.role-claim", defaults.RoleClaim).Trim(),
            ClockSkew = config.GetTimeSpan("bank.auth.clock-skew", defaults.ClockSkew),
            DevelopmentTokenLifetime = config.GetTimeSpan("bank.auth.development-token-lifetime", defaults.DevelopmentTokenLifetime),
            TokenCacheMaxEntries = config.GetInt("bank.auth.token-cache.max-entries", defaults.TokenCacheMaxEntries),
            TokenCacheMaxAge = config.GetTimeSpan("bank.auth.token-cache.max-age", defaults.TokenCacheMaxAge),
        };
        if (settings.Enabled) settings.Validate();
        return settings;
    }

    private void Validate()
    {
        if (string.IsNullOrEmpty(Issuer)) throw new InvalidOperationException("bank.auth.issuer (or BANK_AUTH_ISSUER) must name the tokens' issuer.");
        if (string.IsNullOrEmpty(Audience)) throw new InvalidOperationException("bank.auth.audience (or BANK_AUTH_AUDIENCE) must name this API as the tokens' audience.");
        if (Authority is null && SigningKeys.Count == 0)
            throw new InvalidOperationException("Authentication is on but no key can verify tokens: set bank.auth.authority (BANK_AUTH_AUTHORITY) or bank.auth.signing-key (BANK_AUTH_SIGNING_KEY).");
        if (Algorithms.Count == 0 || Algorithms.Any(a => string.Equals(a, "none", StringComparison.OrdinalIgnoreCase)))
            throw new InvalidOperationException("bank.auth.algorithms must list signing algorithms, and never 'none'.");
        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(5))
            throw new InvalidOperationException($"bank.auth.clock-skew must be 0 to 5 minutes, not {ClockSkew}.");
        if (TokenCacheMaxEntries < 0) throw new InvalidOperationException($"bank.auth.token-cache.max-entries must be 0 (off) or more, not {TokenCacheMaxEntries}.");
        if (TokenCacheMaxAge <= TimeSpan.Zero || TokenCacheMaxAge > TimeSpan.FromMinutes(10))
            throw new InvalidOperationException($"bank.auth.token-cache.max-age must be more than 0 and at most 10 minutes, not {TokenCacheMaxAge}.");
        _ = IssuerSigningKeys(); // a key that cannot be read fails the start, naming the setting
    }

    /// <summary>The configured keys as security keys: base64 secrets (HS256), or PEM RSA / EC public keys.</summary>
    public IReadOnlyList<SecurityKey> IssuerSigningKeys() => SigningKeys.Select(ReadKey).ToList();

    /// <summary>The development key as an HS256 key.</summary>
    public SymmetricSecurityKey DevelopmentSigningKey() => Secret(DevelopmentKey, "bank.auth.development-key");

    private static SecurityKey ReadKey(string text)
    {
        if (!text.StartsWith("-----BEGIN", StringComparison.Ordinal)) return Secret(text, "bank.auth.signing-key");
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(text);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException)
        {
            var ec = ECDsa.Create();
            try
            {
                ec.ImportFromPem(text);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException("A signing key in bank.auth is PEM but neither an RSA nor an EC public key.", e);
            }
            return new ECDsaSecurityKey(ec);
        }
    }

    private static SymmetricSecurityKey Secret(string base64, string setting)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"{setting} must be a base64 secret (or a PEM public key), but is not base64.", e);
        }
        if (bytes.Length < 32)
            throw new InvalidOperationException($"{setting} is a secret of {bytes.Length * 8} bits; HS256 needs at least 256 (32 bytes, base64).");
        return new SymmetricSecurityKey(bytes);
    }
}
