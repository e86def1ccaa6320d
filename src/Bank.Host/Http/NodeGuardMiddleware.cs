using Bank.Host.Hosting;

namespace Bank.Host.Http;

/// <summary>
/// Answers 503 not-ready (with Retry-After, so that a client tries another node) to every request but liveness and
/// <c>GET /cluster</c> while <see cref="NodeGuard"/> says this node must not serve: downed, removed, or just woken from a
/// freeze the cluster may have downed it for. Nothing reaches an account from here then, so nothing is served or persisted
/// for accounts that another node may own by now.
/// </summary>
internal sealed class NodeGuardMiddleware(RequestDelegate next, NodeGuard guard)
{
    private static readonly PathString Live = new("/health/live");
    private static readonly PathString Cluster = new("/cluster");

    public Task InvokeAsync(HttpContext context)
    {
        if (guard.Refusal() is not { } reason || context.Request.Path.StartsWithSegments(Live) || context.Request.Path.StartsWithSegments(Cluster))
            return next(context);
        context.Response.Headers.RetryAfter = "1";
        return ProblemResults.Problem(ProblemTypes.NotReady, reason).ExecuteAsync(context);
    }
}
