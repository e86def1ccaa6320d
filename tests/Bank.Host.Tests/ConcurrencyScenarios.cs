using System.Net;
using System.Text.Json;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.Host.Tests;

/// <summary>Requests that reach one account at the same moment: each account decides one command at a time, on every journal.</summary>
public abstract class ConcurrencyScenarios(DatabaseFixture fixture) : HostScenario(fixture)
{
    [Fact]
    public async Task Two_deposits_with_the_same_key_at_once_take_effect_once_and_get_the_same_answer()
    {
        var id = await Client.OpenAsync(initialDeposit: 10m);
        var key = "twice-" + Guid.NewGuid();

        var responses = await Task.WhenAll(
            Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":5}""", key),
            Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":5}""", key));

        var answers = await Task.WhenAll(responses.Select(r => r.ExpectAsync(HttpStatusCode.OK)));
        Assert.Single(responses, r => r.WasReplayed());
        Assert.Equal(Same(answers[0]), Same(answers[1]));
        Assert.Equal((15m, 3L), (answers[0].Balance(), answers[0].Version()));
        // Only the first answer carries the event's offset; the replay has none of its own.
        var replayed = Array.FindIndex(responses, r => r.WasReplayed());
        Assert.Equal(0, answers[replayed].Offset());
        Assert.True(answers[1 - replayed].Offset() > 0);
        Assert.Equal(3, (await Client.EventsAsync(id)).Count);
        Assert.Equal(15m, (await Client.GetAccountAsync(id)).Balance());
    }

    [Fact]
    public async Task Two_opens_with_the_same_key_at_once_open_one_account()
    {
        var key = "open-twice-" + Guid.NewGuid();
        var responses = await Task.WhenAll(
            Client.PostJsonAsync("/accounts", """{"owner":"Twin","initialDeposit":7}""", key),
            Client.PostJsonAsync("/accounts", """{"owner":"Twin","initialDeposit":7}""", key));

        var answers = await Task.WhenAll(responses.Select(r => r.ExpectAsync(HttpStatusCode.Created)));
        Assert.Single(responses, r => r.WasReplayed());
        Assert.Equal(Same(answers[0]), Same(answers[1]));
        Assert.Equal(responses[0].Headers.Location, responses[1].Headers.Location);
        var id = answers[0].GetProperty("accountId").GetString()!;
        Assert.Equal(2, (await Client.EventsAsync(id)).Count);
    }

    [Fact]
    public async Task Twenty_withdrawals_at_once_that_together_overdraw_leave_exactly_the_affordable_ones()
    {
        var id = await Client.OpenAsync(initialDeposit: 100m);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => Client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":7}""", $"{id}-w{i}")));

        var accepted = new List<JsonElement>();
        var refused = 0;
        foreach (var response in responses)
        {
            if (response.StatusCode == HttpStatusCode.OK) accepted.Add(await response.ExpectAsync(HttpStatusCode.OK));
            else
            {
                await response.ExpectProblemAsync(HttpStatusCode.Conflict, "insufficient-funds", "amount");
                refused++;
            }
        }
        Assert.Equal(14, accepted.Count); // 14 x 7 = 98 of 100
        Assert.Equal(6, refused);
        // One after the other: versions 3..16, each answer the balance right after its own withdrawal.
        Assert.Equal(Enumerable.Range(3, 14).Select(v => (long)v), accepted.Select(a => a.Version()).Order());
        Assert.All(accepted, a => Assert.Equal(100m - 7m * (a.Version() - 2), a.Balance()));

        var account = await Client.GetAccountAsync(id);
        Assert.Equal((2m, 16L), (account.Balance(), account.Version()));
        Assert.Equal(16, (await Client.EventsAsync(id)).Count);
    }

    [Fact]
    public async Task A_tenth_deposited_a_thousand_times_is_exactly_100()
    {
        var id = await Client.OpenAsync();
        for (var batch = 0; batch < 20; batch++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 50)
                .Select(_ => Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":0.1}""")));
            foreach (var response in responses) await response.ExpectAsync(HttpStatusCode.OK);
        }

        var account = await (await Client.GetAsync($"/accounts/{id}")).ExpectTextAsync(HttpStatusCode.OK);
        Assert.Contains("\"balance\":100.00,", account);
        Assert.Contains("\"version\":1001", account);
    }

    /// <summary>What two answers to the same command must agree on (the offset and the replay header aside).</summary>
    private static string Same(JsonElement answer) =>
        JsonSerializer.Serialize(answer.EnumerateObject().Where(p => p.Name != "offset").ToDictionary(p => p.Name, p => p.Value.GetRawText()));
}

public sealed class SqliteConcurrencyScenarios(DatabaseFixture fixture) : ConcurrencyScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresConcurrencyScenarios(PostgresServer server, DatabaseFixture fixture) : ConcurrencyScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override async Task<BankDatabase> CreateDatabaseAsync() => await PostgresDatabase.CreateAsync(server);
}
