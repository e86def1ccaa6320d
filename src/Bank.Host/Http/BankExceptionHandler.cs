using System.Text.Json;
using System.Text.RegularExpressions;
using Bank.Domain;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bank.Host.Http;

/// <summary>
/// Turns what escapes an endpoint into a problem: unreadable requests (bad JSON, wrong types, unknown or missing
/// fields, unparsable query values) into 400 validation naming the field, too large bodies into 413, a failing
/// journal into 503, and anything else into 500.
/// </summary>
internal sealed partial class BankExceptionHandler(ILogger<BankExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted) return false;
        var result = Map(exception);
        if (result.StatusCode >= 500)
            logger.LogError(exception, "{Method} {Path} failed with {Status}.", httpContext.Request.Method, httpContext.Request.Path, result.StatusCode);
        else
            logger.LogDebug(exception, "{Method} {Path} was refused with {Status}.", httpContext.Request.Method, httpContext.Request.Path, result.StatusCode);
        // A journal that did not answer, or an account whose shard is moving to another node: retry (with the same Idempotency-Key).
        if (result.StatusCode == StatusCodes.Status503ServiceUnavailable) httpContext.Response.Headers.RetryAfter = "1";
        await result.ExecuteAsync(httpContext);
        return true;
    }

    internal static ProblemHttpResult Map(Exception exception) => exception switch
    {
        JournalUnavailableException e => ProblemResults.JournalUnavailable(e.Detail ??
            $"The journal did not answer in time or failed ({e.InnerException?.GetType().Name}). The request may not have taken effect; retry it with the same Idempotency-Key."),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => ProblemResults.Problem(ProblemTypes.PayloadTooLarge, "The request body is too large."),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } => ProblemResults.UnsupportedMediaType(),
        BadHttpRequestException { InnerException: MoneyFormatException money } => FromMoney(money),
        MoneyFormatException money => FromMoney(money),
        BadHttpRequestException { InnerException: JsonException json } => FromJson(json),
        BadHttpRequestException e => FromBadRequest(e),
        JsonException json => FromJson(json),
        _ => ProblemResults.Problem(ProblemTypes.Internal, "An unexpected error occurred; it was logged."),
    };

    private static ProblemHttpResult FromMoney(MoneyFormatException money) =>
        ProblemResults.Validation(FieldOf(money.Path) ?? AccountRules.AmountField, money.Reason);

    /// <summary>System.Text.Json's errors, in our words, with the field taken from the JSON path ($.amount).</summary>
    private static ProblemHttpResult FromJson(JsonException json)
    {
        var message = json.Message;
        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            var names = missing.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => n.Trim('\'')).ToArray();
            return ProblemResults.Validation(names.Select(n => new Rejection(RejectionCode.Validation, n, $"The field '{n}' is required.")).ToArray());
        }

        var field = FieldOf(json.Path);
        if (Unmapped().Match(message) is { Success: true } unmapped)
        {
            // The path already ends with the unknown name ($.nickname); older runtimes stopped at its parent.
            var name = unmapped.Groups["name"].Value;
            var path = field is null ? name : field == name || field.EndsWith("." + name, StringComparison.Ordinal) ? field : $"{field}.{name}";
            return ProblemResults.Validation(path, $"'{path}' is not a known field.");
        }
        if (NotConvertible().Match(message) is { Success: true } conversion)
        {
            return field is null
                ? ProblemResults.Validation("body", "The request body must be a JSON object.")
                : ProblemResults.Validation(field, $"The field '{field}' must be {Describe(conversion.Groups["type"].Value)}.");
        }

        var position = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})" : "";
        var where = field is null ? "" : $" at '{field}'";
        return ProblemResults.Validation(field ?? "body", $"The request body is not valid JSON{where}{position}.");
    }

    private static ProblemHttpResult FromBadRequest(BadHttpRequestException e)
    {
        if (ParameterBinding().Match(e.Message) is { Success: true } binding)
        {
            var name = binding.Groups["name"].Value;
            var value = binding.Groups["value"].Value;
            return ProblemResults.Validation(name, $"'{name}' must be {Describe(binding.Groups["type"].Value)}, not '{value}'.");
        }
        if (e.Message.Contains("body", StringComparison.OrdinalIgnoreCase))
            return ProblemResults.Validation("body", "A JSON request body is required.");
        return ProblemResults.Validation(null, "The request could not be read.");
    }

    private static string? FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return null;
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string Describe(string type)
    {
        var name = type.TrimEnd('.').Replace("System.", "", StringComparison.Ordinal).Replace("Nullable`1[", "", StringComparison.Ordinal)
            .Replace("Nullable<", "", StringComparison.Ordinal).TrimEnd(']', '>', '?');
        return name switch
        {
            "Decimal" or "decimal" or "Double" or "double" => "a number",
            "Int32" or "int" or "Int64" or "long" => "an integer",
            "String" or "string" => "a string",
            "Boolean" or "bool" => "true or false",
            "DateTimeOffset" or "DateTime" => "an ISO-8601 date and time",
            _ => $"a valid {name}",
        };
    }

    [GeneratedRegex(@"missing required properties,? including:? (?<names>.+?)\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex MissingRequired();

    [GeneratedRegex(@"property '(?<name>[^']+)' could not be mapped", RegexOptions.CultureInvariant)]
    private static partial Regex Unmapped();

    [GeneratedRegex(@"could not be converted to (?<type>[\w.`\[\]]+)", RegexOptions.CultureInvariant)]
    private static partial Regex NotConvertible();

    [GeneratedRegex(@"parameter ""(?<type>[^""]*?) ?(?<name>\w+)"" from ""(?<value>[^""]*)""", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterBinding();
}
