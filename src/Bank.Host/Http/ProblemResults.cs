using System.Diagnostics;
using System.Globalization;
using Bank.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Bank.Host.Http;

/// <summary>
/// Builds the API's RFC 9457 (ex-7807) problem details: <c>type</c> is a <see cref="ProblemType"/> URI, <c>code</c> its short
/// stable name, and when one input is at fault <c>field</c> names it and <c>errors</c> maps it to the messages.
/// </summary>
public static class ProblemResults
{
    public const string CodeExtension = "code";
    public const string FieldExtension = "field";
    public const string MinOffsetField = "minOffset";

    public static ProblemHttpResult Problem(ProblemType type, string detail, string? field = null) =>
        field is null ? Create(type, detail, errors: null, field: null) : Create(type, detail, Errors((field, detail)), field);

    public static ProblemHttpResult From(Rejection rejection)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        return Problem(ProblemTypes.For(rejection.Code), rejection.Reason, rejection.Field);
    }

    /// <summary>400 for one or more invalid inputs; <c>field</c> is the first of them.</summary>
    public static ProblemHttpResult Validation(IReadOnlyList<Rejection> rejections)
    {
        ArgumentNullException.ThrowIfNull(rejections);
        if (rejections.Count == 0) throw new ArgumentException("At least one rejection is needed.", nameof(rejections));
        var errors = Errors(rejections.Select(r => (r.Field ?? "", r.Reason)).ToArray());
        var detail = rejections.Count == 1 ? rejections[0].Reason : string.Join(" ", rejections.Select(r => r.Reason));
        return Create(ProblemTypes.Validation, detail, errors, rejections[0].Field);
    }

    public static ProblemHttpResult Validation(string? field, string message) => Problem(ProblemTypes.Validation, message, field);

    public static ProblemHttpResult NotFound(string accountId, string? detail = null) =>
        Problem(ProblemTypes.NotFound, detail ?? $"Account '{accountId}' does not exist.");

    public static ProblemHttpResult JournalUnavailable(string? detail = null) => Problem(ProblemTypes.JournalUnavailable,
        detail ?? "The journal did not answer in time or failed. The request may not have taken effect; retry it with the same Idempotency-Key.");

    /// <summary>503: the read model did not reach <paramref name="minOffset"/> in time; <c>minOffset</c> and <c>readModelOffset</c> say how far it is.</summary>
    public static ProblemHttpResult ReadModelBehind(long minOffset, long readModelOffset, TimeSpan waited)
    {
        var result = Create(ProblemTypes.ReadModelBehind, string.Create(CultureInfo.InvariantCulture,
            $"The read model is at offset {readModelOffset} and did not reach offset {minOffset} within {waited.TotalSeconds:0.###} s. Retry in a moment."),
            errors: null, field: MinOffsetField);
        result.ProblemDetails.Extensions[MinOffsetField] = minOffset;
        result.ProblemDetails.Extensions["readModelOffset"] = readModelOffset;
        return result;
    }

    public static ProblemHttpResult ProjectionNotFound(string name, IEnumerable<string> known) =>
        Problem(ProblemTypes.ProjectionNotFound, $"No projection is named '{name}'. Known: {string.Join(", ", known)}.");

    public static ProblemHttpResult PayloadTooLarge(long maxBytes) =>
        Problem(ProblemTypes.PayloadTooLarge, $"The request body is larger than the maximum of {maxBytes} bytes.");

    /// <summary>429 with <c>Retry-After</c> (whole seconds) set on the response.</summary>
    public static ProblemHttpResult TooManyRequests(HttpContext http, string detail, int retryAfterSeconds)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var result = Problem(ProblemTypes.TooManyRequests, detail);
        result.ProblemDetails.Extensions["retryAfter"] = retryAfterSeconds;
        return result;
    }

    public static ProblemHttpResult HeadersTooLarge(long maxBytes) =>
        Problem(ProblemTypes.HeadersTooLarge, $"The request headers are larger than the maximum of {maxBytes} bytes in all.");

    public static ProblemHttpResult UnsupportedMediaType() =>
        Problem(ProblemTypes.UnsupportedMediaType, "The request body must be JSON with the Content-Type application/json.");

    /// <summary>For every problem the host writes, including those of the framework (unknown routes, 405...): <c>instance</c> and <c>traceId</c>.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.ProblemDetails;
        problem.Instance ??= context.HttpContext.Request.Path;
        problem.Extensions.TryAdd("traceId", Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
    }

    private static Dictionary<string, string[]> Errors(params (string Field, string Message)[] entries)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (field, message) in entries)
            errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return errors;
    }

    private static ProblemHttpResult Create(ProblemType type, string detail, Dictionary<string, string[]>? errors, string? field)
    {
        ProblemDetails problem = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors);
        problem.Type = type.Uri;
        problem.Title = type.Title;
        problem.Status = type.Status;
        problem.Detail = detail;
        problem.Extensions[CodeExtension] = type.Code;
        if (field is not null) problem.Extensions[FieldExtension] = field;
        return TypedResults.Problem(problem);
    }
}
