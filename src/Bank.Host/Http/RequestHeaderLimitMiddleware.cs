using Bank.Host.Auth;

namespace Bank.Host.Http;

/// <summary>
/// Refuses requests whose headers together exceed <see cref="BankLimitSettings.MaxHeaderSize"/> with a 431 problem.
/// Kestrel's own limit sits above it (and answers without a body), so that this one speaks first.
/// </summary>
internal sealed class RequestHeaderLimitMiddleware(RequestDelegate next, BankLimitSettings limits)
{
    public Task InvokeAsync(HttpContext context)
    {
        long size = 0;
        foreach (var (name, values) in context.Request.Headers)
        {
            size += name.Length + 4; // ": " and CRLF
            foreach (var value in values) size += value?.Length ?? 0;
        }
        return size > limits.MaxHeaderSize
            ? ProblemResults.HeadersTooLarge(limits.MaxHeaderSize).ExecuteAsync(context)
            : next(context);
    }
}
