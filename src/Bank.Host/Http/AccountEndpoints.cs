using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Bank.Actors.Accounts;
using Bank.Domain;
using Bank.Host.Auth;
using Bank.Host.Hosting;
using Bank.ReadModels;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Bank.Host.Http;

/// <summary>The commands on accounts: open, deposit, withdraw, close. Queries are in <see cref="AccountQueryEndpoints"/>.</summary>
public static class AccountEndpoints
{
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static RouteGroupBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/accounts").WithTags("Accounts");
        // The commands' services come from the root container, once: no service scope per request.
        var services = new CommandServices(endpoints.ServiceProvider);

        group.MapPost("", (OpenAccountRequest body, [FromHeader(Name = IdempotencyKey.HeaderName)] string? idempotencyKey, HttpContext http, CancellationToken cancellationToken) =>
                OpenAsync(body, idempotencyKey, services, http, cancellationToken))
            .WithName("OpenAccount")
            .WithSummary("Opens an account.")
            .WithDescription("201 with the account and its Location. A retry with the same Idempotency-Key returns the first result. "
                             + "A customer opens accounts for itself (owner absent, or its own subject); a teller names the owner's subject.")
            .ProducesProblems(400, 409, 413, 415, 429, 503)
            .AsAccountCommand();
        group.MapPost("/{id}/deposits", (string id, AmountRequest body, [FromHeader(Name = IdempotencyKey.HeaderName)] string? idempotencyKey, HttpContext http, CancellationToken cancellationToken) =>
                ChangeAsync(id, idempotencyKey, body.Amount, (key, now) => new Deposit(id, body.Amount, key.CommandId(), now), services, http, cancellationToken))
            .WithName("Deposit")
            .WithSummary("Deposits money.")
            .ProducesProblems(400, 404, 409, 413, 415, 429, 503)
            .AsAccountCommand();
        group.MapPost("/{id}/withdrawals", (string id, AmountRequest body, [FromHeader(Name = IdempotencyKey.HeaderName)] string? idempotencyKey, HttpContext http, CancellationToken cancellationToken) =>
                ChangeAsync(id, idempotencyKey, body.Amount, (key, now) => new Withdraw(id, body.Amount, key.CommandId(), now), services, http, cancellationToken))
            .WithName("Withdraw")
            .WithSummary("Withdraws money; 409 insufficient-funds when the balance is too low.")
            .ProducesProblems(400, 404, 409, 413, 415, 429, 503)
            .AsAccountCommand();
        group.MapPost("/{id}/close", (string id, [FromHeader(Name = IdempotencyKey.HeaderName)] string? idempotencyKey, HttpContext http, CancellationToken cancellationToken) =>
                ChangeAsync(id, idempotencyKey, amount: null, (key, now) => new CloseAccount(id, key.CommandId(), now), services, http, cancellationToken))
            .WithName("CloseAccount")
            .WithSummary("Closes an account; 409 balance-not-zero unless its balance is zero, 409 transfer-in-flight while a transfer from it has not ended.")
            .ProducesProblems(400, 404, 409, 429, 503)
            .AsAccountCommand();

        group.MapAccountQueries();
        return group;
    }

    private static async Task<Results<JsonCreated<AccountWriteResponse>, ProblemHttpResult>> OpenAsync(
        OpenAccountRequest body, string? idempotencyKey, CommandServices services, HttpContext http, CancellationToken cancellationToken)
    {
        var key = IdempotencyKey.Parse(idempotencyKey, out var keyRejection);
        // A customer's accounts are its own: the owner defaults to its subject (and the account refuses any other).
        var owner = body.Owner ?? http.User.CustomerSubject();
        var currency = body.Currency ?? AccountRules.DefaultCurrency;
        var initialDeposit = body.InitialDeposit ?? 0m;
        List<Rejection> invalid = [];
        if (keyRejection is not null) invalid.Add(keyRejection);
        if (body.AccountId is not null && AccountRules.ValidateAccountId(body.AccountId) is { } badId) invalid.Add(badId);
        if (AccountRules.ValidateOwner(owner) is { } badOwner) invalid.Add(badOwner);
        if (AccountRules.ValidateCurrency(currency) is { } badCurrency) invalid.Add(badCurrency);
        if (AccountRules.ValidateInitialDeposit(initialDeposit) is { } badDeposit) invalid.Add(badDeposit);
        if (invalid.Count > 0) return ProblemResults.Validation(invalid);

        var accountId = body.AccountId ?? key.NewAccountId();
        var command = new OpenAccount(accountId, owner!, currency, initialDeposit, key.CommandId(), services.Clock.GetUtcNow());
        return await SendAsync(services, command, http, cancellationToken) switch
        {
            (AccountReply.Accepted accepted, var offset) => new JsonCreated<AccountWriteResponse>(
                AccountQueryEndpoints.Location(accountId), AccountWriteResponse.From(accepted, offset), services.WriteResponse),
            (AccountReply.Rejected rejected, _) => ProblemResults.From(rejected.Rejection),
            var (other, _) => throw UnknownReply(other),
        };
    }

    private static async Task<Results<JsonOk<AccountWriteResponse>, ProblemHttpResult>> ChangeAsync(
        string id, string? idempotencyKey, decimal? amount, Func<IdempotencyKey, DateTimeOffset, AccountCommand> command,
        CommandServices services, HttpContext http, CancellationToken cancellationToken)
    {
        var key = IdempotencyKey.Parse(idempotencyKey, out var keyRejection);
        List<Rejection>? invalid = null;
        if (AccountRules.ValidateAccountId(id) is { } badId) (invalid ??= []).Add(badId);
        if (keyRejection is not null) (invalid ??= []).Add(keyRejection);
        if (amount is { } value && AccountRules.ValidateAmount(value) is { } badAmount) (invalid ??= []).Add(badAmount);
        if (invalid is not null) return ProblemResults.Validation(invalid);

        return await SendAsync(services, command(key, services.Clock.GetUtcNow()), http, cancellationToken) switch
        {
            (AccountReply.Accepted accepted, var offset) => new JsonOk<AccountWriteResponse>(AccountWriteResponse.From(accepted, offset), services.WriteResponse),
            (AccountReply.Rejected rejected, _) => ProblemResults.From(rejected.Rejection),
            var (other, _) => throw UnknownReply(other),
        };
    }

    /// <summary>
    /// Sends the command and waits for its reply, and for an accepted one the global offset of its last event (0 for a
    /// replay). A timeout or a failed write is 503: the outcome is unknown until the client retries with its key.
    /// </summary>
    private static async Task<(AccountReply Reply, long Offset)> SendAsync(
        CommandServices services, AccountCommand command, HttpContext http, CancellationToken cancellationToken)
    {
        // Who sends it: the account checks a customer's ownership itself, and its events record the issuer (the audit).
        command = command with { IssuedBy = http.User.Issuer() };
        var reply = await JournalGuard.CallAsync(ct => services.Gateway.SendAsync(command, ct), cancellationToken);
        switch (reply)
        {
            case AccountReply.JournalFailed failed:
                throw new JournalUnavailableException(null,
                    $"The journal failed to store the command ({failed.Reason}). It may or may not have taken effect; retry it with the same Idempotency-Key.");
            case AccountReply.PersistRejected rejected:
                throw new InvalidOperationException($"The journal refused the events of {command.GetType().Name} on account '{command.AccountId}': {rejected.Reason}");
            case AccountReply.Accepted { WasDuplicate: true }:
                http.Response.Headers[ReplayedHeader] = "true";
                return (reply, 0);
            case AccountReply.Accepted { View: var view }:
                var offset = await JournalGuard.CallAsync(ct => services.Positions.OrderingOfAsync(view.AccountId, view.Version, ct), cancellationToken);
                return (reply, offset ?? 0);
            default:
                return (reply, 0);
        }
    }

    /// <summary>What the commands need from the container, resolved on first use and kept.</summary>
    private sealed class CommandServices(IServiceProvider services)
    {
        private AccountGateway? _gateway;
        private JournalPositions? _positions;
        private TimeProvider? _clock;
        private JsonTypeInfo<AccountWriteResponse>? _writeResponse;

        public AccountGateway Gateway => _gateway ??= services.GetRequiredService<AccountGateway>();

        public JournalPositions Positions => _positions ??= services.GetRequiredService<JournalPositions>();

        public TimeProvider Clock => _clock ??= services.GetRequiredService<TimeProvider>();

        public JsonTypeInfo<AccountWriteResponse> WriteResponse => _writeResponse ??= JsonBodyWriter.TypeInfo<AccountWriteResponse>(services);
    }

    private static InvalidOperationException UnknownReply(AccountReply reply) => new($"Unknown account reply {reply.GetType().Name}.");

    /// <summary>Documents the problem responses an endpoint can give (ProblemHttpResult itself documents none).</summary>
    internal static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        foreach (var status in statusCodes) builder.ProducesProblem(status);
        return builder;
    }
}
