using System.Security.Cryptography;
using System.Text;
using Bank.Domain;

namespace Bank.Host.Http;

/// <summary>
/// The <c>Idempotency-Key</c> request header. A key is turned deterministically into the command's id (the first 16
/// bytes of the SHA-256 of its UTF-8 text), so a retry with the same key is the same command to the account, which
/// answers it with the first outcome. Without the header every request is a new command.
/// </summary>
public readonly struct IdempotencyKey
{
    public const string HeaderName = "Idempotency-Key";
    public const int MaxLength = 200;

    private readonly byte[]? _hash;

    private IdempotencyKey(string? value, byte[]? hash)
    {
        Value = value;
        _hash = hash;
    }

    /// <summary>The header's text; null when the request had none.</summary>
    public string? Value { get; }

    public bool IsPresent => Value is not null;

    /// <summary>Parses the header value (null when absent); a rejection when it is empty or longer than <see cref="MaxLength"/>.</summary>
    public static IdempotencyKey Parse(string? header, out Rejection? rejection)
    {
        rejection = null;
        if (header is null) return default;
        if (header.Length is 0 or > MaxLength)
        {
            rejection = new Rejection(RejectionCode.Validation, AccountRules.IdempotencyKeyField,
                $"The {HeaderName} header must be 1 to {MaxLength} characters long, but is {header.Length} characters long.");
            return default;
        }
        return new IdempotencyKey(header, SHA256.HashData(Encoding.UTF8.GetBytes(header)));
    }

    /// <summary>The command id: derived from the key, or a new one when there is no key.</summary>
    public Guid CommandId() => _hash is null ? Guid.NewGuid() : new Guid(_hash.AsSpan(0, 16));

    /// <summary>
    /// An account id for an open request that names none: derived from the key (the other 16 bytes of the hash, as 32 hex
    /// digits), so that retrying the request opens the same account; a new compact GUID when there is no key.
    /// </summary>
    public string NewAccountId() => _hash is null ? Guid.NewGuid().ToString("N") : Convert.ToHexStringLower(_hash.AsSpan(16, 16));
}
