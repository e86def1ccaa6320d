using System.Net;
using System.Text.Json;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.Host.Tests;

/// <summary>
/// Money is judged on its JSON text, never on a rounded decimal, and always leaves with two decimals: on every journal
/// (<see cref="SqliteMoneyScenarios"/>, <see cref="PostgresMoneyScenarios"/>), since what comes back was stored and read again.
/// </summary>
public abstract class MoneyScenarios(DatabaseFixture fixture) : HostScenario(fixture)
{
    /// <summary>Amounts whose text is not plain money, and what the answer must say about each.</summary>
    public static TheoryData<string, string> NotPlainMoney => new()
    {
        // decimal.Parse would round this to 100 without a word.
        { "100.0000000000000000000000000001", "more than 2 decimal places" },
        { "0.001", "more than 2 decimal places" },
        { "1e3", "exponent" },
        { "1E+2", "exponent" },
        { "1.5e-1", "exponent" },
        // decimal.MaxValue + 1, and far beyond: no decimal holds them.
        { "79228162514264337593543950336", "out of range" },
        { "100000000000000000000000000000000000000000000000000", "out of range" },
        // A decimal, but more than the bank takes.
        { "1000000000000.01", "exceeds the maximum of 1,000,000,000,000.00" },
    };

    [Theory]
    [MemberData(nameof(NotPlainMoney))]
    public async Task A_deposit_or_withdrawal_whose_amount_is_not_plain_money_is_400_saying_why(string amount, string reason)
    {
        var id = await Client.OpenAsync(initialDeposit: 100m);
        foreach (var kind in new[] { "deposits", "withdrawals" })
        {
            var problem = await (await Client.PostJsonAsync($"/accounts/{id}/{kind}", $$"""{"amount":{{amount}}}"""))
                .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "amount");
            Assert.Contains(reason, problem.Detail());
        }

        var account = await Client.GetAccountAsync(id);
        Assert.Equal((100m, 2L), (account.Balance(), account.Version()));
        Assert.Equal(2, (await Client.EventsAsync(id)).Count);
    }

    [Theory]
    [MemberData(nameof(NotPlainMoney))]
    public async Task An_opening_deposit_that_is_not_plain_money_is_400_naming_initialDeposit_and_opens_nothing(string amount, string reason)
    {
        var id = BankHttp.NewAccountId();
        var problem = await (await Client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Ann","initialDeposit":{{amount}}}"""))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "initialDeposit");
        Assert.Contains(reason, problem.Detail());
        await (await Client.GetAsync($"/accounts/{id}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Amounts_and_balances_leave_with_exactly_two_decimals_whatever_scale_they_came_in()
    {
        var id = BankHttp.NewAccountId();
        var opened = await (await Client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Scale","initialDeposit":100.01000}"""))
            .ExpectTextAsync(HttpStatusCode.Created);
        Assert.Contains("\"balance\":100.01,", opened);

        Assert.Contains("\"balance\":100.11,", await Deposit(id, "0.1"));
        Assert.Contains("\"balance\":105.11,", await Deposit(id, "5"));
        Assert.Contains("\"balance\":100.00,", await Withdraw(id, "5.110"));
        Assert.Contains("\"balance\":0.00,", await Withdraw(id, "100"));
        Assert.Contains("\"balance\":1000000000000.00,", await Deposit(id, "1000000000000"));

        var now = await (await Client.GetAsync($"/accounts/{id}")).ExpectTextAsync(HttpStatusCode.OK);
        Assert.Contains("\"balance\":1000000000000.00,", now);
        var then = await (await Client.GetAsync($"/accounts/{id}?version=3")).ExpectTextAsync(HttpStatusCode.OK);
        Assert.Contains("\"balance\":100.11,", then);

        // The stored events, read back from the journal.
        var events = await (await Client.GetAsync($"/accounts/{id}/events")).ExpectTextAsync(HttpStatusCode.OK);
        var amounts = JsonDocument.Parse(events).RootElement.GetProperty("events").EnumerateArray()
            .Where(e => e.TryGetProperty("amount", out _))
            .Select(e => (Amount: e.GetProperty("amount").GetRawText(), After: e.GetProperty("balanceAfter").GetRawText()))
            .ToArray();
        Assert.Equal(
            [("100.01", "100.01"), ("0.10", "100.11"), ("5.00", "105.11"), ("5.11", "100.00"), ("100.00", "0.00"), ("1000000000000.00", "1000000000000.00")],
            amounts);
    }

    [Fact]
    public async Task A_refusal_quotes_amounts_in_two_decimals()
    {
        var id = await Client.OpenAsync(initialDeposit: 50m);
        var problem = await (await Client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":50.010}"""))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "insufficient-funds", "amount");
        Assert.Contains("50.01", problem.Detail());
        Assert.DoesNotContain("50.010", problem.Detail());
    }

    private async Task<string> Deposit(string id, string amount) =>
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", $$"""{"amount":{{amount}}}""")).ExpectTextAsync(HttpStatusCode.OK);

    private async Task<string> Withdraw(string id, string amount) =>
        await (await Client.PostJsonAsync($"/accounts/{id}/withdrawals", $$"""{"amount":{{amount}}}""")).ExpectTextAsync(HttpStatusCode.OK);
}

public sealed class SqliteMoneyScenarios(DatabaseFixture fixture) : MoneyScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresMoneyScenarios(PostgresServer server, DatabaseFixture fixture) : MoneyScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override async Task<BankDatabase> CreateDatabaseAsync() => await PostgresDatabase.CreateAsync(server);
}
