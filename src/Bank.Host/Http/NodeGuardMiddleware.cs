using Bank.Host.Hosting;

namespace Bank.Host.Http;

/// <summary>
/// Answers 503 not-ready (with Retry-After, so that a client tries another node) to every request but liveness and
/// <c>GET /cluster</c> while <see cref="NodeGuard"/> says this node must not serve: downed, removed, or just woken from a
/// freeze the cluster may have downed it for. Nothing reaches an account from here then, so nothing is served or persisted
/// for accounts that another node may own by now.
/// </summary>
/// <remarks>
/// A node that has not been Up yet (starting, joining its seeds) is not refused at once: a request waits for the join up to
/// <see cref="JoinWait"/>, then gets 503 not-ready.
/// </remarks>
internal sealed class NodeGuardMiddleware(RequestDelegate next, NodeGuard guard)
{
    private static readonly PathString Live = new("/health/live");
    private static readonly PathString Cluster = new("/cluster");
    private static readonly TimeSpan JoinWait = TimeSpan.FromSeconds(5);

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(Live) || context.Request.Path.StartsWithSegments(Cluster)) return next(context);
        if (guard.Refusal() is { } reason) return RefuseAsync(context, reason);
        return guard.WhenUp.IsCompleted ? next(context) : AfterJoinAsync(context);
    }

    private async Task AfterJoinAsync(HttpContext context)
    {
        try
        {
            await guard.WhenUp.WaitAsync(JoinWait, context.RequestAborted);
        }
        catch (TimeoutException)
        {
            await RefuseAsync(context, "This node has not joined its cluster yet.");
            return;
        }
        if (guard.Refusal() is { } reason) await RefuseAsync(context, reason);
        else await next(context);
    }

    private static Task RefuseAsync(HttpContext context, string reason)
    {
        context.Response.Headers.RetryAfter = "1";
        return ProblemResults.Problem(ProblemTypes.NotReady, reason).ExecuteAsync(context);
    }
}
