using System.Net;
using System.Text.Json;
using Bank.Actors.Accounts;
using Bank.Domain;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Bank.Host.Tests;

/// <summary>Transfers over HTTP, end to end on every journal: the process, its refusals, idempotency, and the read model.</summary>
public abstract class TransferScenarios(DatabaseFixture fixture) : HostScenario(fixture)
{
    private static readonly TimeSpan ReadModelPatience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_transfer_moves_the_money_completes_and_shows_in_both_accounts_histories_and_transfers()
    {
        var from = await Client.OpenAsync(initialDeposit: 100m);
        var to = await Client.OpenAsync(initialDeposit: 5m);

        var id = await Client.TransferAsync(from, to, 30.25m);

        var transfer = await Client.EndedTransferAsync(id);
        Assert.Equal("completed", transfer.GetProperty("status").GetString());
        Assert.Equal((from, to, 30.25m, "EUR"), (transfer.GetProperty("fromAccountId").GetString(), transfer.GetProperty("toAccountId").GetString(),
            transfer.GetProperty("amount").GetDecimal(), transfer.GetProperty("currency").GetString()));
        Assert.False(transfer.TryGetProperty("failureCode", out _));
        Assert.Equal(69.75m, (await Client.GetAccountAsync(from)).Balance());
        Assert.Equal(35.25m, (await Client.GetAccountAsync(to)).Balance());

        await Client.WaitForTransactionsAsync(to, 2, ReadModelPatience, "the credit is projected");
        var outgoing = (await Client.TransactionsAsync(from)).Last();
        Assert.Equal(("transferOut", 30.25m, 69.75m, id, to), (outgoing.GetProperty("kind").GetString(), outgoing.GetProperty("amount").GetDecimal(),
            outgoing.GetProperty("balanceAfter").GetDecimal(), outgoing.GetProperty("transferId").GetGuid(), outgoing.GetProperty("counterparty").GetString()));
        var incoming = (await Client.TransactionsAsync(to)).Last();
        Assert.Equal(("transferIn", 30.25m, 35.25m, id, from), (incoming.GetProperty("kind").GetString(), incoming.GetProperty("amount").GetDecimal(),
            incoming.GetProperty("balanceAfter").GetDecimal(), incoming.GetProperty("transferId").GetGuid(), incoming.GetProperty("counterparty").GetString()));
        foreach (var account in new[] { from, to })
        {
            var listed = Assert.Single(await Client.AccountTransfersAsync(account));
            Assert.Equal((id, "completed", from, to), (listed.GetProperty("transferId").GetGuid(), listed.GetProperty("status").GetString(),
                listed.GetProperty("fromAccountId").GetString(), listed.GetProperty("toAccountId").GetString()));
        }

        // The source learnt that the target took the money before the transfer completed.
        var types = (await Client.EventsAsync(from)).Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["bank.transfer-debited.v1", "bank.transfer-settled.v1"], types.TakeLast(2));
    }

    [Fact]
    public async Task Closing_a_source_while_its_transfer_is_in_flight_is_409_transfer_in_flight_and_allowed_once_the_transfer_has_ended()
    {
        var from = await Client.OpenAsync(initialDeposit: 25m);
        var to = await Client.OpenAsync();
        var accounts = Host.Services.GetRequiredService<AccountGateway>();
        var id = Guid.NewGuid();
        // A transfer's steps asked by hand, as its process asks them, so that it stays in flight as long as the test needs.
        Assert.IsType<AccountReply.Accepted>(await accounts.SendAsync(
            new DebitForTransfer(from, id, to, "EUR", 25m, TransferRules.StepCommandId(id, TransferStep.Debited), DateTimeOffset.UtcNow)));

        var problem = await (await Client.PostEmptyAsync($"/accounts/{from}/close")).ExpectProblemAsync(HttpStatusCode.Conflict, "transfer-in-flight");

        Assert.Contains(id.ToString(), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var emptied = await Client.GetAccountAsync(from);
        Assert.Equal(("open", 0m), (emptied.Status(), emptied.Balance()));
        Assert.IsType<AccountReply.Accepted>(await accounts.SendAsync(
            new CreditForTransfer(to, id, from, "EUR", 25m, TransferRules.StepCommandId(id, TransferStep.Credited), DateTimeOffset.UtcNow)));
        Assert.IsType<AccountReply.Accepted>(await accounts.SendAsync(
            new SettleTransfer(from, id, to, 25m, TransferRules.StepCommandId(id, TransferStep.Settled), DateTimeOffset.UtcNow)));
        Assert.Equal("closed", (await (await Client.PostEmptyAsync($"/accounts/{from}/close")).ExpectAsync(HttpStatusCode.OK)).Status());
    }

    [Fact]
    public async Task A_transfer_beyond_the_sources_balance_fails_with_insufficient_funds_and_moves_nothing()
    {
        var from = await Client.OpenAsync(initialDeposit: 10m);
        var to = await Client.OpenAsync();

        var id = await Client.TransferAsync(from, to, 10.01m);

        var transfer = await Client.EndedTransferAsync(id);
        Assert.Equal(("failed", "insufficient-funds"), (transfer.GetProperty("status").GetString(), transfer.GetProperty("failureCode").GetString()));
        Assert.Contains("exceeds the available balance", transfer.GetProperty("failureReason").GetString());
        Assert.Equal(10m, (await Client.GetAccountAsync(from)).Balance());
        Assert.Equal(0m, (await Client.GetAccountAsync(to)).Balance());
        Assert.Equal(2, (await Client.EventsAsync(from)).Count);
    }

    [Fact]
    public async Task A_transfer_to_an_unknown_account_refunds_the_source_and_fails_with_not_found()
    {
        var from = await Client.OpenAsync(initialDeposit: 50m);
        var nobody = BankHttp.NewAccountId();

        var id = await Client.TransferAsync(from, nobody, 20m);

        var transfer = await Client.EndedTransferAsync(id);
        Assert.Equal(("failed", "not-found"), (transfer.GetProperty("status").GetString(), transfer.GetProperty("failureCode").GetString()));
        Assert.Equal(50m, (await Client.GetAccountAsync(from)).Balance());
        await Client.WaitForTransactionsAsync(from, 3, ReadModelPatience, "the refund is projected");
        var history = await Client.TransactionsAsync(from);
        Assert.Equal(["deposit", "transferOut", "transferRefund"], history.Select(t => t.GetProperty("kind").GetString()));
        Assert.Equal([50m, 30m, 50m], history.Select(t => t.GetProperty("balanceAfter").GetDecimal()));
        Assert.Equal("failed", Assert.Single(await Client.AccountTransfersAsync(from)).GetProperty("status").GetString());
        await (await Client.GetAsync($"/accounts/{nobody}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_transfer_to_a_closed_account_or_another_currency_is_refunded_and_fails_saying_why()
    {
        var from = await Client.OpenAsync(initialDeposit: 50m);
        var closed = await Client.OpenAsync();
        await (await Client.PostEmptyAsync($"/accounts/{closed}/close")).ExpectAsync(HttpStatusCode.OK);
        var dollars = BankHttp.NewAccountId();
        await (await Client.PostJsonAsync("/accounts", $$"""{"accountId":"{{dollars}}","owner":"Dol","currency":"USD"}""")).ExpectAsync(HttpStatusCode.Created);

        var toClosed = await Client.EndedTransferAsync(await Client.TransferAsync(from, closed, 5m));
        var toDollars = await Client.EndedTransferAsync(await Client.TransferAsync(from, dollars, 5m));

        Assert.Equal("account-closed", toClosed.GetProperty("failureCode").GetString());
        Assert.Equal("currency-mismatch", toDollars.GetProperty("failureCode").GetString());
        Assert.Equal(50m, (await Client.GetAccountAsync(from)).Balance());
        Assert.Equal(0m, (await Client.GetAccountAsync(dollars)).Balance());
    }

    [Fact]
    public async Task The_same_account_on_both_sides_a_non_positive_or_malformed_amount_is_400_and_starts_nothing()
    {
        var from = await Client.OpenAsync(initialDeposit: 50m);
        var to = await Client.OpenAsync();
        var cases = new (string Json, string Field)[]
        {
            (TransferHttp.Body(from, from, 1m, Guid.NewGuid()), "toAccountId"),
            (TransferHttp.Body(from, to, 0m, Guid.NewGuid()), "amount"),
            (TransferHttp.Body(from, to, -5m, Guid.NewGuid()), "amount"),
            ($$"""{"transferId":"{{Guid.NewGuid()}}","fromAccountId":"{{from}}","toAccountId":"{{to}}","amount":"ten"}""", "amount"),
            ($$"""{"transferId":"{{Guid.NewGuid()}}","fromAccountId":"{{from}}","toAccountId":"{{to}}","amount":1.001}""", "amount"),
            ($$"""{"transferId":"{{Guid.NewGuid()}}","fromAccountId":"bad id!","toAccountId":"{{to}}","amount":1}""", "fromAccountId"),
        };
        foreach (var (json, field) in cases)
        {
            await (await Client.PostJsonAsync("/transfers", json)).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", field);
            var id = JsonDocument.Parse(json).RootElement.GetProperty("transferId").GetGuid();
            await (await Client.GetAsync($"/transfers/{id}")).ExpectProblemAsync(HttpStatusCode.NotFound, "transfer-not-found");
        }
        Assert.Equal(50m, (await Client.GetAccountAsync(from)).Balance());
        await (await Client.GetAsync("/transfers/not-a-guid")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "transferId");
    }

    [Fact]
    public async Task An_unknown_source_is_404_and_a_closed_source_409_and_no_transfer_exists()
    {
        var to = await Client.OpenAsync();
        var closed = await Client.OpenAsync();
        await (await Client.PostEmptyAsync($"/accounts/{closed}/close")).ExpectAsync(HttpStatusCode.OK);
        var unknownId = Guid.NewGuid();
        var closedId = Guid.NewGuid();

        await (await Client.PostJsonAsync("/transfers", TransferHttp.Body(BankHttp.NewAccountId(), to, 1m, unknownId)))
            .ExpectProblemAsync(HttpStatusCode.NotFound, "not-found", "fromAccountId");
        await (await Client.PostJsonAsync("/transfers", TransferHttp.Body(closed, to, 1m, closedId)))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "account-closed", "fromAccountId");

        foreach (var id in new[] { unknownId, closedId })
            await (await Client.GetAsync($"/transfers/{id}")).ExpectProblemAsync(HttpStatusCode.NotFound, "transfer-not-found");
    }

    [Fact]
    public async Task A_repeated_transfer_id_or_idempotency_key_is_the_same_transfer_and_moves_the_money_once()
    {
        var from = await Client.OpenAsync(initialDeposit: 100m);
        var to = await Client.OpenAsync();
        var id = Guid.NewGuid();

        var first = await Client.TransferAsync(from, to, 10m, id);
        await Client.EndedTransferAsync(first);
        var again = await Client.PostJsonAsync("/transfers", TransferHttp.Body(from, to, 10m, id));
        Assert.Equal("completed", (await again.ExpectAsync(HttpStatusCode.Accepted)).GetProperty("status").GetString());
        Assert.True(again.WasReplayed());
        await (await Client.PostJsonAsync("/transfers", TransferHttp.Body(from, to, 11m, id)))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "idempotency-conflict", "transferId");

        var key = "transfer-" + Guid.NewGuid();
        var byKey = new List<Uri?>();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var response = await Client.PostJsonAsync("/transfers", $$"""{"fromAccountId":"{{from}}","toAccountId":"{{to}}","amount":5}""", key);
            await response.ExpectAsync(HttpStatusCode.Accepted);
            byKey.Add(response.Headers.Location);
        }
        Assert.Equal(byKey[0], byKey[1]);
        await Client.EndedTransferAsync(Guid.Parse(byKey[0]!.OriginalString.Split('/').Last()));

        Assert.Equal(85m, (await Client.GetAccountAsync(from)).Balance());
        Assert.Equal(15m, (await Client.GetAccountAsync(to)).Balance());
    }

    [Fact]
    public async Task The_event_stream_carries_the_transfers_account_events_with_the_transfer_id()
    {
        var from = await Client.OpenAsync(initialDeposit: 10m);
        var to = BankHttp.NewAccountId();
        var opened = await (await Client.PostJsonAsync("/accounts", $$"""{"accountId":"{{to}}","owner":"Sse"}""")).ExpectAsync(HttpStatusCode.Created);
        await using var stream = await EventStream.ConnectAsync(Client, query: $"?offset={opened.Offset()}");

        var id = await Client.TransferAsync(from, to, 4m);

        var events = await stream.TakeAsync(2);
        Assert.Equal(["bank.transfer-debited.v1", "bank.transfer-credited.v1"], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(id, e.Data.GetProperty("event").GetProperty("transferId").GetGuid()));
        Assert.Equal((from, to), (events[0].Data.GetProperty("persistenceId").GetString(), events[0].Data.GetProperty("event").GetProperty("counterpartyId").GetString()));
        Assert.Equal(6m, events[0].Data.GetProperty("event").GetProperty("balanceAfter").GetDecimal());
    }

    [Fact]
    public async Task Stats_show_transfers_conserve_money_and_nothing_is_left_in_flight()
    {
        var a = await Client.OpenAsync(initialDeposit: 40m);
        var b = await Client.OpenAsync(initialDeposit: 60m);
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await Client.TransferAsync(a, b, 3m));
            ids.Add(await Client.TransferAsync(b, a, 7m));
        }
        foreach (var id in ids) Assert.Equal("completed", (await Client.EndedTransferAsync(id)).GetProperty("status").GetString());
        Assert.Equal((60m, 40m), ((await Client.GetAccountAsync(a)).Balance(), (await Client.GetAccountAsync(b)).Balance()));

        await Client.WaitForTransactionsAsync(a, 11, ReadModelPatience, "every transfer is projected");
        await Client.WaitForTransactionsAsync(b, 11, ReadModelPatience, "every transfer is projected");
        var stats = await Client.CurrencyStatsAsync();
        Assert.Equal(0m, stats.GetProperty("moneyInFlight").GetDecimal());
        Assert.Equal(stats.GetProperty("totalDeposited").GetDecimal() - stats.GetProperty("totalWithdrawn").GetDecimal(), stats.GetProperty("totalBalance").GetDecimal());
        Assert.Equal(10, (await Client.AccountTransfersAsync(a)).Count);
    }
}

public sealed class SqliteTransferScenarios(DatabaseFixture fixture) : TransferScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresTransferScenarios(PostgresServer server, DatabaseFixture fixture) : TransferScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override async Task<BankDatabase> CreateDatabaseAsync() => await PostgresDatabase.CreateAsync(server);
}
