using System.ComponentModel;
using Bank.Domain;
using Bank.Host.Auth;
using Bank.Host.Hosting;
using Bank.ReadModels;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bank.Host.Http;

/// <summary>
/// Queries on the read model (kept by the "bank-accounts" projection, so a moment behind the commands). Each takes
/// <c>?minOffset=</c>, the offset of a command's response, and then answers only once the read model has that command
/// (read-your-writes), or 503 read-model-behind when it does not get there in time.
/// </summary>
public static class ReadModelEndpoints
{
    internal const string MinOffsetDescription =
        "Read-your-writes: the offset from a command's response. The answer waits (bounded, bank.read-model.read-your-writes-timeout) "
        + "until the read model has every event up to it; 503 read-model-behind if it does not get there in time.";

    public static RouteGroupBuilder MapReadModelEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("").WithTags("Read model");
        group.MapGet("/accounts", ListAsync).WithName("ListAccounts")
            .WithSummary("Lists accounts by account id, from the read model (?status=open|closed&owner=...&offset=0&limit=100).")
            .WithDescription("A customer sees only its own accounts.")
            .ProducesProblems(400, 503)
            .RequireBankPolicy(BankPolicies.Accounts);
        group.MapGet("/accounts/{id}/transactions", TransactionsAsync).WithName("GetAccountTransactions")
            .WithSummary("The account's deposits and withdrawals with the balance after each, oldest first, from the read model.")
            .WithDescription("404 when the read model does not know the account (yet: pass minOffset to read your own writes).")
            .ProducesProblems(400, 404, 503)
            .RequireBankPolicy(BankPolicies.Accounts).RequireOwnAccount();
        group.MapGet("/stats", StatsAsync).WithName("GetStats")
            .WithSummary("The bank's totals from the read model: open and closed accounts, and for each currency its accounts, total balance, deposited and withdrawn.")
            .WithDescription("Money is totalled per currency, never across currencies; only the account counts add up over all of them. "
                             + "A customer gets the totals of its own accounts.")
            .ProducesProblems(400, 503)
            .RequireBankPolicy(BankPolicies.Accounts);
        return group;
    }

    private static async Task<Results<Ok<AccountListResponse>, ProblemHttpResult>> ListAsync(
        [Description("open or closed; all accounts when absent.")] string? status,
        [Description("Only the accounts of this owner (exact match, after trimming).")] string? owner,
        [Description("Accounts to skip; 0 when absent.")] int? offset,
        [Description("Page size, 1 to 1000; 100 when absent.")] int? limit,
        [Description(MinOffsetDescription)] long? minOffset,
        BankReadSide readSide, HttpContext http, CancellationToken cancellationToken)
    {
        List<Rejection> invalid = [];
        AccountStatus? statusFilter = null;
        if (status is not null)
        {
            statusFilter = status.Trim().ToLowerInvariant() switch
            {
                "open" => AccountStatus.Open,
                "closed" => AccountStatus.Closed,
                _ => null,
            };
            if (statusFilter is null) invalid.Add(Invalid("status", $"status must be 'open' or 'closed', not '{status}'."));
        }
        string? ownerFilter = null;
        if (owner is not null)
        {
            if (AccountRules.ValidateOwner(owner) is { } badOwner) invalid.Add(badOwner);
            else ownerFilter = AccountRules.NormalizeOwner(owner);
        }
        ValidatePage(offset, limit, invalid);
        ValidateMinOffset(minOffset, invalid);
        if (invalid.Count > 0) return ProblemResults.Validation(invalid);

        if (await ReadYourWritesAsync(minOffset, readSide, http, cancellationToken) is { } behind) return behind;
        if (http.User.CustomerSubject() is { } customer)
        {
            // A customer's list holds its own accounts only; asking for someone else's gives an empty page, not an error.
            if (ownerFilter is not null && !string.Equals(ownerFilter, customer, StringComparison.Ordinal))
                return TypedResults.Ok(new AccountListResponse([], offset ?? 0, limit ?? BankReadModel.DefaultPageSize, null));
            ownerFilter = customer;
        }
        var query = new AccountListQuery(statusFilter, ownerFilter, offset ?? 0, limit ?? BankReadModel.DefaultPageSize);
        var page = await JournalGuard.ReadAsync(ct => readSide.Queries.ListAccountsAsync(query, ct), cancellationToken);
        return TypedResults.Ok(new AccountListResponse(page.Items.Select(AccountSummaryResponse.From).ToArray(), page.Offset, page.Limit, page.NextOffset));
    }

    private static async Task<Results<Ok<TransactionListResponse>, ProblemHttpResult>> TransactionsAsync(
        string id,
        [Description("Transactions to skip; 0 when absent.")] int? offset,
        [Description("Page size, 1 to 1000; 100 when absent.")] int? limit,
        [Description(MinOffsetDescription)] long? minOffset,
        BankReadSide readSide, HttpContext http, CancellationToken cancellationToken)
    {
        List<Rejection> invalid = [];
        if (AccountRules.ValidateAccountId(id) is { } badId) invalid.Add(badId);
        ValidatePage(offset, limit, invalid);
        ValidateMinOffset(minOffset, invalid);
        if (invalid.Count > 0) return ProblemResults.Validation(invalid);

        if (await ReadYourWritesAsync(minOffset, readSide, http, cancellationToken) is { } behind) return behind;
        var (account, page) = await JournalGuard.ReadAsync(async ct =>
        {
            var summary = await readSide.Queries.GetAccountAsync(id, ct);
            var transactions = summary is null ? null : await readSide.Queries.GetTransactionsAsync(id, offset ?? 0, limit ?? BankReadModel.DefaultPageSize, ct);
            return (summary, transactions);
        }, cancellationToken);
        if (account is null || page is null)
            return ProblemResults.NotFound(id, $"The read model has no account '{id}' (it may not exist, or not be projected yet: pass minOffset).");
        return TypedResults.Ok(new TransactionListResponse(id, page.Items.Select(TransactionResponse.From).ToArray(), page.Offset, page.Limit, page.NextOffset));
    }

    private static async Task<Results<Ok<BankStatsResponse>, ProblemHttpResult>> StatsAsync(
        [Description(MinOffsetDescription)] long? minOffset,
        BankReadSide readSide, HttpContext http, CancellationToken cancellationToken)
    {
        List<Rejection> invalid = [];
        ValidateMinOffset(minOffset, invalid);
        if (invalid.Count > 0) return ProblemResults.Validation(invalid);

        if (await ReadYourWritesAsync(minOffset, readSide, http, cancellationToken) is { } behind) return behind;
        var customer = http.User.CustomerSubject();
        var totals = customer is null
            ? await JournalGuard.ReadAsync(readSide.Queries.GetTotalsAsync, cancellationToken)
            : await JournalGuard.ReadAsync(ct => readSide.Queries.GetTotalsForOwnerAsync(customer, ct), cancellationToken);
        return TypedResults.Ok(BankStatsResponse.From(totals));
    }

    /// <summary>
    /// Null when the read model holds <paramref name="minOffset"/> (or none was asked for), after waiting for it if
    /// needed; else the problem to answer with: 400 for an offset the journal does not have, 503 (with Retry-After)
    /// when the read model did not get there in time.
    /// </summary>
    internal static async Task<ProblemHttpResult?> ReadYourWritesAsync(long? minOffset, BankReadSide readSide, HttpContext http, CancellationToken cancellationToken)
    {
        if (minOffset is not { } wanted || readSide.HasOffset(wanted)) return null;

        // An offset the journal has not reached would be waited for in vain: a client error, said at once.
        var highest = await JournalGuard.ReadAsync(readSide.Positions.HighestOffsetAsync, cancellationToken);
        if (wanted > highest)
        {
            return ProblemResults.Validation(ProblemResults.MinOffsetField,
                $"minOffset {wanted} is beyond the journal's highest offset {highest}; pass the offset of a command's response.");
        }

        if (await readSide.WaitForOffsetAsync(wanted, cancellationToken)) return null;
        http.Response.Headers.RetryAfter = "1";
        return ProblemResults.ReadModelBehind(wanted, readSide.Accounts.Offset, readSide.Settings.ReadYourWritesTimeout);
    }

    private static void ValidatePage(int? offset, int? limit, List<Rejection> invalid)
    {
        if (offset is < 0) invalid.Add(Invalid("offset", $"offset must be 0 or more, but is {offset}."));
        if (limit is < 1 or > BankReadModel.MaxPageSize) invalid.Add(Invalid("limit", $"limit must be 1 to {BankReadModel.MaxPageSize}, but is {limit}."));
    }

    private static void ValidateMinOffset(long? minOffset, List<Rejection> invalid)
    {
        if (minOffset is < 0) invalid.Add(Invalid(ProblemResults.MinOffsetField, $"minOffset must be 0 or more, but is {minOffset}."));
    }

    private static Rejection Invalid(string field, string message) => new(RejectionCode.Validation, field, message);
}
