using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bank.Host.Auth;
using Microsoft.IdentityModel.Tokens;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>
/// The tokens of the test hosts. Every test host (BankFactory, HostProcess) verifies tokens with <see cref="Key"/>, a key of
/// the tests' own (not the development key: the hosts run as Production, which refuses that one), and every client they
/// hand out sends <see cref="Staff"/> by default, so scenarios that are not about access run unchanged. Scenarios about
/// access send other tokens explicitly (<see cref="As"/>).
/// </summary>
public static class TestTokens
{
    public const string Key = "dGVzdC1vbmx5LWtleS1mb3ItdGhlLWJhbmstaG9zdC10ZXN0cy0wMDAwMDAwMDA=";
    public const string Issuer = "bank-development";
    public const string Audience = "bank-api";
    public const string StaffSubject = "test-staff";

    /// <summary>Valid under the real clock and under the tests' ManualClock (2030) alike.</summary>
    public static readonly DateTimeOffset ValidFrom = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(365 * 100);

    /// <summary>
    /// What every test host is given before a scenario's own HOCON: the tests' key, and a command rate limit that no
    /// scenario reaches (scenarios about the limit set their own).
    /// </summary>
    public const string Hocon = $"bank.auth.signing-key = \"{Key}\"\nbank.limits.commands-per-second = 1000000\n";

    /// <summary>The same, as the environment variables of a host process.</summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["BANK_AUTH_SIGNING_KEY"] = Key,
        ["BANK_COMMANDS_PER_SECOND"] = "1000000",
    };

    /// <summary>A teller and admin: may do everything, on every account.</summary>
    public static string Staff { get; } = Mint(StaffSubject, BankClaims.Teller, BankClaims.Admin);

    public static string Customer(string subject) => Mint(subject, BankClaims.Customer);

    public static string Teller(string subject = "teller-1") => Mint(subject, BankClaims.Teller);

    public static string Admin(string subject = "admin-1") => Mint(subject, BankClaims.Admin);

    public static string Mint(string subject, params string[] roles) =>
        BankTokens.Mint(new SymmetricSecurityKey(Convert.FromBase64String(Key)), Issuer, Audience, subject, roles, ValidFrom, Lifetime);

    /// <summary>A token signed with another key, or for another audience, or expired: each must be refused.</summary>
    public static string MintWith(string key = Key, string audience = Audience, DateTimeOffset? from = null, TimeSpan? lifetime = null, string issuer = Issuer) =>
        BankTokens.Mint(new SymmetricSecurityKey(Convert.FromBase64String(key)), issuer, audience, "mallory", [BankClaims.Teller, BankClaims.Admin],
            from ?? ValidFrom, lifetime ?? Lifetime);

    /// <summary>A token for the tests' key and audience, signed with HS512 (not an accepted algorithm) by that same key.</summary>
    public static string SignedWithHs512()
    {
        var unsigned = Part(new { alg = "HS512", typ = "JWT" }) + "." + Part(new
        {
            iss = Issuer, aud = Audience, sub = "mallory", role = BankClaims.Teller,
            nbf = ValidFrom.ToUnixTimeSeconds(), exp = (ValidFrom + Lifetime).ToUnixTimeSeconds(),
        });
        var signature = System.Security.Cryptography.HMACSHA512.HashData(Convert.FromBase64String(Key), Encoding.ASCII.GetBytes(unsigned));
        return unsigned + "." + Base64UrlEncoder.Encode(signature);
    }

    private static string Part(object value) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)));

    /// <summary>An unsigned token (<c>alg: none</c>) claiming every role.</summary>
    public static string Unsigned()
    {
        return Part(new { alg = "none", typ = "JWT" }) + "." + Part(new
        {
            iss = Issuer, aud = Audience, sub = "mallory", role = new[] { BankClaims.Teller, BankClaims.Admin },
            nbf = ValidFrom.ToUnixTimeSeconds(), exp = (ValidFrom + Lifetime).ToUnixTimeSeconds(),
        }) + ".";
    }

    /// <summary>The client, now sending <paramref name="token"/> (null: none at all).</summary>
    public static HttpClient As(this HttpClient client, string? token)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
