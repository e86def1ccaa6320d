using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Bank.Host.Auth;

/// <summary>
/// The JWT bearer scheme's token handler (JwtBearerOptions.TokenHandlers): the stock <see cref="JsonWebTokenHandler"/>,
/// which answers a token it verified recently from <see cref="ValidatedTokenCache"/> instead of verifying it again.
/// Everything else (the events, the challenge, key refresh on an unknown key) stays the JWT bearer handler's.
/// </summary>
/// <param name="clock">
/// The clock the cache judges its entries by: the system's, as the verification judges exp (DateTime.UtcNow), never the
/// host's TimeProvider (the tests run the host on a manual clock). Tests of the cache alone pass their own.
/// </param>
internal sealed class CachingJsonWebTokenHandler(ValidatedTokenCache cache, TimeProvider? clock = null) : JsonWebTokenHandler
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public ValidatedTokenCache Cache { get; } = cache;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        if (string.IsNullOrEmpty(token)) return await base.ValidateTokenAsync(token, validationParameters);
        if (Cache.TryGet(token, _clock.GetUtcNow()) is { } cached) return cached;
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid) Cache.Add(token, result, _clock.GetUtcNow());
        return result;
    }
}
