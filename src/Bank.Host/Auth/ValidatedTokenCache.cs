using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace Bank.Host.Auth;

/// <summary>
/// Bearer tokens that passed verification, by their text: a client sends the same token with every request, and
/// verifying it again (base64, JSON, the signature, the claims) is a good part of a command's CPU. An entry lives no
/// longer than the token's own expiry (exp) nor <see cref="MaxAge"/>, so a key or issuer that is no longer trusted stops
/// admitting tokens within that time. Only successes are kept. At <see cref="MaxEntries"/> the cache starts over, which
/// keeps it bounded at O(1) per insert (the tokens are re-verified, nothing is refused for it).
/// </summary>
internal sealed class ValidatedTokenCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public ValidatedTokenCache(int maxEntries, TimeSpan maxAge)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        if (maxAge <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxAge), maxAge, "The cache's max age must be positive.");
        MaxEntries = maxEntries;
        MaxAge = maxAge;
    }

    public int MaxEntries { get; }

    public TimeSpan MaxAge { get; }

    public int Count => _entries.Count;

    /// <summary>A fresh result for a token verified before and still within its entry's life; null otherwise.</summary>
    public TokenValidationResult? TryGet(string token, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(token, out var entry)) return null;
        if (now >= entry.Until)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(token, entry));
            return null;
        }
        // A copy of the identity per request: the principal built on it is the request's own to change.
        return new TokenValidationResult
        {
            IsValid = true,
            SecurityToken = entry.Token,
            ClaimsIdentity = entry.Identity.Clone(),
            Issuer = entry.Issuer,
            TokenType = entry.TokenType,
        };
    }

    /// <summary>Keeps a successful verification until the token's expiry or <see cref="MaxAge"/> from now, whichever is sooner.</summary>
    public void Add(string token, TokenValidationResult result, DateTimeOffset now)
    {
        if (!result.IsValid || result.SecurityToken is not { } securityToken || result.ClaimsIdentity is not { } identity) return;
        var expires = new DateTimeOffset(DateTime.SpecifyKind(securityToken.ValidTo, DateTimeKind.Utc));
        // No exp (DateTime.MinValue), or past it and admitted only by the clock skew: verified afresh every time.
        if (securityToken.ValidTo == DateTime.MinValue || expires <= now) return;
        var until = expires < now + MaxAge ? expires : now + MaxAge;
        if (_entries.Count >= MaxEntries) _entries.Clear();
        _entries[token] = new Entry(securityToken, identity.Clone(), result.Issuer, result.TokenType, until);
    }

    private sealed record Entry(SecurityToken Token, ClaimsIdentity Identity, string? Issuer, string? TokenType, DateTimeOffset Until);
}
