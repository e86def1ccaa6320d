using Bank.Host.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace Bank.Host.Http;

/// <summary>
/// Refuses request bodies over <see cref="BankHttpSettings.MaxBodySize"/> with 413: at once when Content-Length says so,
/// and through the server's own limit (Kestrel) for bodies without a length, whose overflow surfaces as a
/// BadHttpRequestException 413 that <see cref="BankExceptionHandler"/> maps.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, BankHttpSettings settings)
{
    public Task InvokeAsync(HttpContext context)
    {
        var limit = settings.MaxBodySize;
        if (context.Request.ContentLength > limit)
            return ProblemResults.PayloadTooLarge(limit).ExecuteAsync(context);

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
        return next(context);
    }
}
