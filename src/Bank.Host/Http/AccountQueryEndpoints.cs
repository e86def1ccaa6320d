using Bank.Actors.Accounts;
using Bank.Domain;
using Bank.Host.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bank.Host.Http;

/// <summary>Reading accounts: the current state from the account itself, the past and the events from the journal.</summary>
public static class AccountQueryEndpoints
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public static string Location(string accountId) => $"/accounts/{Uri.EscapeDataString(accountId)}";

    internal static void MapAccountQueries(this RouteGroupBuilder group)
    {
        group.MapGet("/{id}", GetAsync).WithName("GetAccount")
            .WithSummary("The account now, or as it was at a version (?version=N) or a time (?asOf=ISO-8601).")
            .ProducesProblems(400, 404, 503)
            .RequireBankPolicy(BankPolicies.Accounts).RequireOwnAccount();
        group.MapGet("/{id}/events", GetEventsAsync).WithName("GetAccountEvents")
            .WithSummary("The account's events, oldest first, in pages (?fromVersion=1&limit=100, at most 1000), each with who issued it.")
            .ProducesProblems(400, 404, 503)
            .RequireBankPolicy(BankPolicies.Accounts).RequireOwnAccount();
    }

    private static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> GetAsync(
        string id, long? version, DateTimeOffset? asOf, AccountGateway gateway, AccountHistory history, CancellationToken cancellationToken)
    {
        if (AccountRules.ValidateAccountId(id) is { } badId) return ProblemResults.From(badId);
        if (version is not null && asOf is not null)
            return ProblemResults.Validation([
                new Rejection(RejectionCode.Validation, "version", "Give either version or asOf, not both."),
                new Rejection(RejectionCode.Validation, "asOf", "Give either version or asOf, not both."),
            ]);
        if (version is < 1) return ProblemResults.Validation("version", $"The version must be 1 or more, but is {version}.");

        if (version is { } atVersion)
        {
            var then = await JournalGuard.CallAsync(ct => history.StateAtVersionAsync(id, atVersion, ct), cancellationToken);
            if (then is null || then.Version < atVersion)
                return ProblemResults.NotFound(id, then is null
                    ? $"Account '{id}' does not exist."
                    : $"Account '{id}' has no version {atVersion}; its latest version is {then.Version}.");
            return TypedResults.Ok(AccountResponse.From(AccountView.From(then)));
        }

        if (asOf is { } at)
        {
            var then = await JournalGuard.CallAsync(ct => history.StateAsOfAsync(id, at, ct), cancellationToken);
            return then is null
                ? ProblemResults.NotFound(id, $"Account '{id}' did not exist at {at:O}.")
                : TypedResults.Ok(AccountResponse.From(AccountView.From(then)));
        }

        var now = await JournalGuard.CallAsync(ct => gateway.GetAsync(id, ct), cancellationToken);
        return now.Status == AccountStatus.NotOpened
            ? ProblemResults.NotFound(id)
            : TypedResults.Ok(AccountResponse.From(AccountView.From(now)));
    }

    private static async Task<Results<Ok<AccountEventsPage>, ProblemHttpResult>> GetEventsAsync(
        string id, long? fromVersion, int? limit, AccountHistory history, AccountGateway gateway, CancellationToken cancellationToken)
    {
        List<Rejection> invalid = [];
        if (AccountRules.ValidateAccountId(id) is { } badId) invalid.Add(badId);
        if (fromVersion is < 1) invalid.Add(new Rejection(RejectionCode.Validation, "fromVersion", $"fromVersion must be 1 or more, but is {fromVersion}."));
        if (limit is < 1 or > MaxPageSize) invalid.Add(new Rejection(RejectionCode.Validation, "limit", $"limit must be 1 to {MaxPageSize}, but is {limit}."));
        if (invalid.Count > 0) return ProblemResults.Validation(invalid);

        var from = fromVersion ?? 1;
        var pageSize = limit ?? DefaultPageSize;
        // One more than asked for: whether it exists tells if there is a next page.
        var records = await JournalGuard.CallAsync(ct => history.EventsAsync(id, from, pageSize + 1, ct), cancellationToken);

        if (records.Count == 0)
        {
            var account = await JournalGuard.CallAsync(ct => gateway.GetAsync(id, ct), cancellationToken);
            if (account.Status == AccountStatus.NotOpened) return ProblemResults.NotFound(id);
        }

        var hasMore = records.Count > pageSize;
        var page = records.Take(pageSize).Select(AccountEventResponse.From).ToArray();
        return TypedResults.Ok(new AccountEventsPage(id, page, hasMore ? records[pageSize].Version : null));
    }
}
