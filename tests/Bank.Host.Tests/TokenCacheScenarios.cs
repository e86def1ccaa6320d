using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Bank.Host.Auth;
using Bank.Host.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bank.Host.Tests;

/// <summary>
/// The verified-token cache (<c>bank.auth.token-cache</c>) at the host's front door: it spares verifying a token again,
/// and never admits a token that verification would refuse. A host of the class's own on SQLite (the cache does not
/// depend on the journal), with no clock skew, so that a token's exp is the moment it stops working.
/// </summary>
public sealed class TokenCacheScenarios(DatabaseFixture fixture) : HostScenario(fixture), IClassFixture<DatabaseFixture>
{
    private const int MaxEntries = 4;

    protected override string? HostHocon => $"bank.auth {{ clock-skew = 0s, token-cache {{ max-entries = {MaxEntries}, max-age = 1m }} }}";

    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());

    private ValidatedTokenCache Cache => Host.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme)
        .TokenHandlers.OfType<CachingJsonWebTokenHandler>().Single().Cache;

    [Fact]
    public async Task A_token_accepted_before_is_refused_once_it_has_expired()
    {
        var now = DateTimeOffset.UtcNow;
        var token = TestTokens.MintWith(from: now.AddMinutes(-1), lifetime: TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(3));
        var expires = new DateTimeOffset(new JsonWebToken(token).ValidTo, TimeSpan.Zero);
        using var client = Host.CreateClient(token);

        await (await client.GetAsync("/accounts?limit=1")).ExpectAsync(HttpStatusCode.OK);
        await (await client.GetAsync("/accounts?limit=1")).ExpectAsync(HttpStatusCode.OK); // answered from the cache
        Assert.NotNull(Cache.TryGet(token, DateTimeOffset.UtcNow));

        var wait = expires - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var problem = await (await client.GetAsync("/accounts?limit=1")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("The token has expired.", problem.Detail());
    }

    [Fact]
    public async Task A_tampered_copy_of_an_accepted_token_is_refused_and_the_original_still_works()
    {
        var token = TestTokens.Customer($"eve-{Guid.NewGuid():N}"[..20]);
        using var original = Host.CreateClient(token);
        await (await original.GetAsync("/accounts?limit=1")).ExpectAsync(HttpStatusCode.OK);

        // The role raised to teller, the signature kept: only the signature check can tell, and it must still be made.
        using var tampered = Host.CreateClient(WithClaim(token, "role", "teller"));
        var problem = await (await tampered.PostJsonAsync("/accounts", """{"owner":"someone-else"}""")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("signature", problem.Detail(), StringComparison.Ordinal);
        await (await tampered.GetAsync("/accounts?limit=1")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");

        await (await original.GetAsync("/accounts?limit=1")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_cache_stays_within_its_bound_and_every_token_beyond_it_is_still_served()
    {
        for (var i = 0; i < 3 * MaxEntries; i++)
        {
            using var client = Host.CreateClient(TestTokens.Teller($"teller-{Guid.NewGuid():N}"[..20]));
            await (await client.GetAsync("/accounts?limit=1")).ExpectAsync(HttpStatusCode.OK);
            Assert.InRange(Cache.Count, 1, MaxEntries);
        }
    }

    /// <summary>The token with one payload claim changed and its signature kept.</summary>
    internal static string WithClaim(string token, string claim, string value)
    {
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[1]))!;
        payload[claim] = JsonSerializer.SerializeToElement(value);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.{parts[2]}";
    }
}

/// <summary>
/// The caching token handler on its own, its cache on a manual clock: how long an entry answers for a token, and what a
/// request gets from it. Verification itself runs on the real clock, so the tokens here are valid in real time.
/// </summary>
public sealed class TokenCacheTests
{
    private static readonly SymmetricSecurityKey KeyA = new(Convert.FromBase64String(TestTokens.Key));
    private static readonly SymmetricSecurityKey KeyB = new(new byte[32]);

    private static TokenValidationParameters Trusting(SecurityKey key) => new()
    {
        ValidIssuer = TestTokens.Issuer,
        ValidAudience = TestTokens.Audience,
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.Zero,
        RoleClaimType = BankClaims.Role,
        NameClaimType = BankClaims.Subject,
    };

    private static (CachingJsonWebTokenHandler Handler, ManualClock Clock) Handler(TimeSpan maxAge, int maxEntries = 100)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        return (new CachingJsonWebTokenHandler(new ValidatedTokenCache(maxEntries, maxAge), clock) { MapInboundClaims = false }, clock);
    }

    private static string Token(TimeSpan lifetime, string subject = "ada") =>
        BankTokens.Mint(KeyA, TestTokens.Issuer, TestTokens.Audience, subject, [BankClaims.Customer], DateTimeOffset.UtcNow.AddMinutes(-1), lifetime + TimeSpan.FromMinutes(1));

    [Fact]
    public async Task A_key_no_longer_trusted_stops_admitting_its_tokens_once_the_max_age_has_passed()
    {
        var (handler, clock) = Handler(maxAge: TimeSpan.FromMinutes(1));
        var token = Token(lifetime: TimeSpan.FromHours(1));
        Assert.True((await handler.ValidateTokenAsync(token, Trusting(KeyA))).IsValid);

        // Key A retired: within the max age the cache still answers for the token it verified ...
        Assert.True((await handler.ValidateTokenAsync(token, Trusting(KeyB))).IsValid);
        clock.Advance(TimeSpan.FromMinutes(1));
        // ... and after it the token is verified again, against the keys trusted now.
        var refused = await handler.ValidateTokenAsync(token, Trusting(KeyB));
        Assert.False(refused.IsValid);
        Assert.IsAssignableFrom<SecurityTokenSignatureKeyNotFoundException>(refused.Exception);
        Assert.False((await handler.ValidateTokenAsync(token, Trusting(KeyB))).IsValid);
    }

    [Fact]
    public async Task An_entry_never_answers_for_a_token_past_its_exp_whatever_the_max_age()
    {
        var (handler, clock) = Handler(maxAge: TimeSpan.FromHours(1));
        var token = Token(lifetime: TimeSpan.FromMinutes(10));
        var expires = new DateTimeOffset(new JsonWebToken(token).ValidTo, TimeSpan.Zero);
        Assert.True((await handler.ValidateTokenAsync(token, Trusting(KeyA))).IsValid);

        clock.Now = expires - TimeSpan.FromSeconds(1);
        Assert.NotNull(handler.Cache.TryGet(token, clock.GetUtcNow()));
        clock.Now = expires;
        Assert.Null(handler.Cache.TryGet(token, clock.GetUtcNow()));
        Assert.Equal(0, handler.Cache.Count); // the stale entry is dropped when met
    }

    [Fact]
    public async Task A_token_that_fails_verification_is_never_cached()
    {
        var (handler, _) = Handler(maxAge: TimeSpan.FromMinutes(1));
        var token = Token(lifetime: TimeSpan.FromHours(1));
        Assert.False((await handler.ValidateTokenAsync(token, Trusting(KeyB))).IsValid);
        Assert.False((await handler.ValidateTokenAsync(TokenCacheScenarios.WithClaim(token, "sub", "bob"), Trusting(KeyA))).IsValid);
        Assert.Equal(0, handler.Cache.Count);
        Assert.False((await handler.ValidateTokenAsync(token, Trusting(KeyB))).IsValid);
    }

    [Fact]
    public async Task Every_request_gets_an_identity_of_its_own_with_the_tokens_claims()
    {
        var (handler, _) = Handler(maxAge: TimeSpan.FromMinutes(1));
        var token = Token(lifetime: TimeSpan.FromHours(1));
        var first = await handler.ValidateTokenAsync(token, Trusting(KeyA));
        first.ClaimsIdentity.AddClaim(new Claim("added-by-a-request", "x"));

        var second = await handler.ValidateTokenAsync(token, Trusting(KeyA));
        var third = await handler.ValidateTokenAsync(token, Trusting(KeyA));
        Assert.True(second.IsValid);
        Assert.NotSame(second.ClaimsIdentity, third.ClaimsIdentity);
        Assert.IsType<CaseSensitiveClaimsIdentity>(second.ClaimsIdentity); // claim types still compared case-sensitively
        Assert.Null(second.ClaimsIdentity.FindFirst("added-by-a-request"));
        Assert.Equal("ada", second.ClaimsIdentity.FindFirst(BankClaims.Subject)?.Value);
        Assert.True(new ClaimsPrincipal(second.ClaimsIdentity).IsInRole(BankClaims.Customer));
        Assert.Equal(first.SecurityToken.ValidTo, second.SecurityToken.ValidTo);
    }

    [Fact]
    public async Task At_its_bound_the_cache_starts_over()
    {
        var (handler, _) = Handler(maxAge: TimeSpan.FromMinutes(1), maxEntries: 3);
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await handler.ValidateTokenAsync(Token(TimeSpan.FromHours(1), $"subject-{i}"), Trusting(KeyA))).IsValid);
            Assert.InRange(handler.Cache.Count, 1, 3);
        }
    }
}
