using System.ComponentModel;
using Bank.Actors.Accounts;
using Bank.Actors.Transfers;
using Bank.Domain;
using Bank.Host.Auth;
using Bank.Host.Hosting;
using Bank.ReadModels;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Bank.Host.Http;

/// <summary>
/// Transfers between accounts: POST starts one (202; the process runs on), GET follows it (from the transfer's own events
/// in the journal, so the status is never behind), and an account's transfers come from the read model.
/// </summary>
public static class TransferEndpoints
{
    public static string Location(Guid transferId) => $"/transfers/{transferId:D}";

    public static RouteGroupBuilder MapTransferEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/transfers").WithTags("Transfers");
        group.MapPost("", RequestAsync).WithName("RequestTransfer")
            .WithSummary("Starts a transfer: 202 with its Location; it ends completed or failed by itself.")
            .WithDescription("Idempotent on transferId (or the Idempotency-Key): a retry answers 202 with the transfer as it is now and "
                             + "Idempotent-Replayed: true. 400 for the same account on both sides or a bad amount, 404 for an unknown source, "
                             + "409 for a closed source; then no transfer exists.")
            .ProducesProblems(400, 404, 409, 413, 415, 429, 503)
            .AsAccountCommand();
        group.MapGet("/{id}", GetAsync).WithName("GetTransfer")
            .WithSummary("The transfer now, from its events: pending, completed or failed (with the reason).")
            .WithDescription("A customer sees only transfers from or to its own accounts; any other is 404, like a missing one.")
            .ProducesProblems(400, 404, 503)
            .RequireBankPolicy(BankPolicies.Accounts);
        endpoints.MapGet("/accounts/{id}/transfers", AccountTransfersAsync).WithTags("Read model").WithName("GetAccountTransfers")
            .WithSummary("The transfers that moved money from or to the account, oldest first, from the read model.")
            .WithDescription("A transfer refused at its source moved nothing and is not listed here (GET /transfers/{id} has it).")
            .ProducesProblems(400, 404, 503)
            .RequireBankPolicy(BankPolicies.Accounts).RequireOwnAccount();
        return group;
    }

    private static async Task<Results<Accepted<TransferResponse>, ProblemHttpResult>> RequestAsync(
        TransferRequest body, [FromHeader(Name = IdempotencyKey.HeaderName)] string? idempotencyKey,
        TransferGateway gateway, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var key = IdempotencyKey.Parse(idempotencyKey, out var keyRejection);
        var transferId = body.TransferId ?? key.CommandId();
        var command = new RequestTransfer(transferId, body.FromAccountId, body.ToAccountId, body.Amount, clock.GetUtcNow()) { IssuedBy = http.User.Issuer() };
        List<Rejection> invalid = [.. TransferRules.Validate(command)];
        if (keyRejection is not null) invalid.Insert(0, keyRejection);
        if (invalid.Count > 0) return ProblemResults.Validation(invalid);

        var reply = await JournalGuard.CallAsync(ct => gateway.RequestAsync(command, ct), cancellationToken);
        switch (reply)
        {
            case TransferReply.Accepted accepted:
                if (accepted.WasDuplicate) http.Response.Headers[AccountEndpoints.ReplayedHeader] = "true";
                return TypedResults.Accepted(Location(transferId), TransferResponse.From(accepted.Transfer));
            case TransferReply.Rejected rejected:
                return ProblemResults.From(rejected.Rejection);
            case TransferReply.Unavailable unavailable:
                throw new JournalUnavailableException(null, $"The transfer did not start: {unavailable.Reason} Retry it with the same transfer id.");
            default:
                throw new InvalidOperationException($"Unknown transfer reply {reply.GetType().Name}.");
        }
    }

    private static async Task<Results<Ok<TransferResponse>, ProblemHttpResult>> GetAsync(
        string id, TransferHistory history, AccountGateway accounts, HttpContext http, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var transferId))
            return ProblemResults.Validation(TransferRules.TransferIdField, $"The transfer id must be a GUID, not '{id}'.");
        var state = await JournalGuard.CallAsync(ct => history.StateAsync(transferId, ct), cancellationToken);
        return state.Exists && await IsVisibleAsync(state, http.User.CustomerSubject(), accounts, cancellationToken)
            ? TypedResults.Ok(TransferResponse.From(state))
            : ProblemResults.Problem(ProblemTypes.TransferNotFound, $"Transfer {transferId} does not exist.");
    }

    /// <summary>Staff see every transfer; a customer those it asked for and those from or to an account it owns.</summary>
    private static async Task<bool> IsVisibleAsync(TransferState transfer, string? customer, AccountGateway accounts, CancellationToken cancellationToken)
    {
        if (customer is null || transfer.IssuedBy?.Subject == customer) return true;
        foreach (var accountId in new[] { transfer.FromAccountId!, transfer.ToAccountId! })
        {
            var account = await JournalGuard.CallAsync(ct => accounts.GetAsync(accountId, ct), cancellationToken);
            if (string.Equals(account.Owner, customer, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private static async Task<Results<Ok<AccountTransferListResponse>, ProblemHttpResult>> AccountTransfersAsync(
        string id,
        [Description("Transfers to skip; 0 when absent.")] int? offset,
        [Description("Page size, 1 to 1000; 100 when absent.")] int? limit,
        [Description(ReadModelEndpoints.MinOffsetDescription)] long? minOffset,
        BankReadSide readSide, HttpContext http, CancellationToken cancellationToken)
    {
        List<Rejection> invalid = [];
        if (AccountRules.ValidateAccountId(id) is { } badId) invalid.Add(badId);
        if (offset is < 0) invalid.Add(new Rejection(RejectionCode.Validation, "offset", $"offset must be 0 or more, but is {offset}."));
        if (limit is < 1 or > BankReadModel.MaxPageSize)
            invalid.Add(new Rejection(RejectionCode.Validation, "limit", $"limit must be 1 to {BankReadModel.MaxPageSize}, but is {limit}."));
        if (minOffset is < 0) invalid.Add(new Rejection(RejectionCode.Validation, ProblemResults.MinOffsetField, $"minOffset must be 0 or more, but is {minOffset}."));
        if (invalid.Count > 0) return ProblemResults.Validation(invalid);

        if (await ReadModelEndpoints.ReadYourWritesAsync(minOffset, readSide, http, cancellationToken) is { } behind) return behind;
        var page = await JournalGuard.ReadAsync(ct => readSide.Queries.GetTransfersAsync(id, offset ?? 0, limit ?? BankReadModel.DefaultPageSize, ct), cancellationToken);
        return TypedResults.Ok(new AccountTransferListResponse(id, page.Items.Select(AccountTransferResponse.From).ToArray(), page.Offset, page.Limit, page.NextOffset));
    }
}
