using Bank.Actors.Accounts;
using Bank.Domain;
using Bank.Host.Http;

namespace Bank.Host.Auth;

/// <summary>
/// Lets a customer through to an account endpoint only for an account it owns; anyone else's answers 404 not-found, as a
/// missing account does. Staff pass without a look-up. The owner comes from the account actor, the authority on it.
/// </summary>
internal sealed class OwnAccountFilter(AccountGateway gateway) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.User.CustomerSubject() is not { } customer) return await next(context);
        if (http.GetRouteValue("id") is not string id || AccountRules.ValidateAccountId(id) is not null) return await next(context); // the endpoint answers 400
        var account = await JournalGuard.CallAsync(ct => gateway.GetAsync(id, ct), http.RequestAborted);
        return account.Status != AccountStatus.NotOpened && string.Equals(account.Owner, customer, StringComparison.Ordinal)
            ? await next(context)
            : ProblemResults.NotFound(id);
    }
}
