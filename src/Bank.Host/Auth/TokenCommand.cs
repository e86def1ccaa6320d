using System.Globalization;
using Bank.Host.Hosting;

namespace Bank.Host.Auth;

/// <summary>
/// <c>dotnet run --project src/Bank.Host -- token --sub ada --role customer [--role teller] [--lifetime 8h]</c>: prints a
/// bearer token signed with the development key from hocon/bank.conf, for the configured issuer and audience. A host
/// verifies it only while it trusts the development key (never in Production).
/// </summary>
public static class TokenCommand
{
    public const string Name = "token";

    public static bool IsInvoked(string[] args) => args.Length > 0 && string.Equals(args[0], Name, StringComparison.Ordinal);

    /// <returns>The process exit code: 0 with the token on stdout, 2 with the usage on stderr.</returns>
    public static int Run(string[] args, BankHocon hocon, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(hocon);
        string? subject = null;
        List<string> roles = [];
        TimeSpan? lifetime = null;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--sub" when value is not null:
                    subject = value;
                    i++;
                    break;
                case "--role" when value is not null:
                    roles.AddRange(value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
                    i++;
                    break;
                case "--lifetime" when value is not null && TryLifetime(value, out var parsed):
                    lifetime = parsed;
                    i++;
                    break;
                default:
                    return Usage(error, $"Unexpected argument '{args[i]}'.");
            }
        }
        if (string.IsNullOrWhiteSpace(subject)) return Usage(error, "--sub is required.");
        if (roles.Count == 0) return Usage(error, "--role is required.");
        if (roles.FirstOrDefault(r => r is not (BankClaims.Customer or BankClaims.Teller or BankClaims.Admin)) is { } unknown)
            return Usage(error, $"Unknown role '{unknown}'.");
        var settings = BankAuthSettings.From(hocon.Config);
        output.WriteLine(BankTokens.MintDevelopment(settings, subject, roles, DateTimeOffset.UtcNow, lifetime));
        return 0;
    }

    private static bool TryLifetime(string text, out TimeSpan lifetime)
    {
        // 8h, 30m, 90s, or a TimeSpan (01:30:00).
        lifetime = default;
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            lifetime = text[^1] switch { 'h' => TimeSpan.FromHours(count), 'm' => TimeSpan.FromMinutes(count), 's' => TimeSpan.FromSeconds(count), 'd' => TimeSpan.FromDays(count), _ => default };
            if (lifetime > TimeSpan.Zero) return true;
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out lifetime) && lifetime > TimeSpan.Zero;
    }

    private static int Usage(TextWriter error, string problem)
    {
        error.WriteLine(problem);
        error.WriteLine("Usage: token --sub <subject> --role <customer|teller|admin> [--role ...] [--lifetime 8h]");
        error.WriteLine("Prints a bearer token signed with the development key (hocon/bank.conf); send it as 'Authorization: Bearer <token>'.");
        return 2;
    }
}
