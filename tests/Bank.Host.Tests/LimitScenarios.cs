using System.Net;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.Host.Tests;

/// <summary>
/// The abuse limits (issue 14): commands per second per subject (and per IP address without a token), open event streams
/// per subject and in total, header size. Each refusal is a problem with Retry-After where waiting helps, and the limit
/// lets the caller through again afterwards. On every journal: <see cref="SqliteLimitScenarios"/>, <see cref="PostgresLimitScenarios"/>.
/// </summary>
public abstract class LimitScenarios(DatabaseFixture fixture) : HostScenario(fixture)
{
    private const int CommandsPerSecond = 5;

    protected override string? HostHocon => $$"""
        bank.limits {
          commands-per-second = {{CommandsPerSecond}}
          event-streams-per-subject = 2
          event-streams-total = 3
          max-header-size = 4KiB
        }
        """;

    private static string NewSubject(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task Commands_beyond_the_rate_limit_are_429_with_Retry_After_for_that_subject_only_and_pass_again_later()
    {
        using var busy = Host.CreateClient(TestTokens.Customer(NewSubject("busy")));
        var id = BankHttp.NewAccountId();
        await (await busy.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}"}""")).ExpectAsync(HttpStatusCode.Created);

        // All at once: one after the other, a loaded machine may answer so slowly that they never exceed the rate.
        var responses = await BurstAsync(4 * CommandsPerSecond, () => busy.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1}"""));
        var accepted = 0;
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.TooManyRequests))
        {
            await response.ExpectAsync(HttpStatusCode.OK);
            accepted++;
        }
        var refused = responses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.NotNull(refused);
        // The opening and the deposits of one window got through, or of a few when the burst spanned window boundaries.
        Assert.InRange(accepted + 1, CommandsPerSecond, 3 * CommandsPerSecond);
        var problem = await refused.ExpectProblemAsync(HttpStatusCode.TooManyRequests, "too-many-requests");
        var retryAfter = int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 2);
        Assert.Equal(retryAfter, problem.GetProperty("retryAfter").GetInt32());
        Assert.Equal(accepted, (await busy.GetAccountAsync(id)).Balance());

        // Another subject is not held up by the busy one.
        using var other = Host.CreateClient(TestTokens.Customer(NewSubject("other")));
        await (await other.PostJsonAsync("/accounts", "{}")).ExpectAsync(HttpStatusCode.Created);

        // Once the window has passed the subject may go on (the limiter replenishes on a timer, which a loaded machine delays).
        await Task.Delay(TimeSpan.FromSeconds(retryAfter));
        await BankHttp.EventuallyAsync(async () =>
        {
            using var again = await busy.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1}""");
            if (again.StatusCode != HttpStatusCode.TooManyRequests) await again.ExpectAsync(HttpStatusCode.OK);
            return again.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(10), "The busy subject was still refused after Retry-After.");
    }

    [Fact]
    public async Task Commands_without_a_token_are_limited_per_IP_address_before_they_are_turned_away()
    {
        using var anonymous = Host.CreateClient(token: null);
        var statuses = (await BurstAsync(4 * CommandsPerSecond, () => anonymous.PostJsonAsync("/accounts", "{}"))).Select(r => r.StatusCode).ToList();
        // The limit comes first: beyond it a request is 429, not 401; within it, each is turned away for want of a token.
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.All(statuses, status => Assert.Contains(status, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.Unauthorized), CommandsPerSecond, 3 * CommandsPerSecond);
    }

    [Fact]
    public async Task Event_streams_are_capped_per_subject_and_in_total_and_a_closed_one_frees_its_place()
    {
        using var ada = Host.CreateClient(TestTokens.Customer(NewSubject("ada")));
        using var bob = Host.CreateClient(TestTokens.Customer(NewSubject("bob")));
        await using var first = await EventStream.ConnectAsync(ada);
        var second = await EventStream.ConnectAsync(ada);
        try
        {
            await ExpectRefusedAsync(ada);
            await using var bobs = await EventStream.ConnectAsync(bob);
            await ExpectRefusedAsync(bob); // three streams are open: the node's cap

            await second.DisposeAsync();
            await BankHttp.EventuallyAsync(async () =>
            {
                var response = await OpenStreamAsync(ada);
                response.Dispose();
                return response.StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(10), "Ada's closed stream did not free its place.");
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Fact]
    public async Task Headers_beyond_the_limit_are_431_with_a_problem()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/accounts");
        request.Headers.TryAddWithoutValidation("X-Padding", new string('x', 5 * 1024));
        using var response = await Client.SendAsync(request);
        await response.ExpectProblemAsync(HttpStatusCode.RequestHeaderFieldsTooLarge, "headers-too-large");
    }

    /// <summary><paramref name="count"/> requests sent at once, so that they reach the limiter within one window.</summary>
    private static Task<HttpResponseMessage[]> BurstAsync(int count, Func<Task<HttpResponseMessage>> send) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(_ => send()));

    private static async Task ExpectRefusedAsync(HttpClient client)
    {
        using var response = await OpenStreamAsync(client);
        await response.ExpectProblemAsync(HttpStatusCode.TooManyRequests, "too-many-requests");
        Assert.Equal("5", Assert.Single(response.Headers.GetValues("Retry-After")));
    }

    private static Task<HttpResponseMessage> OpenStreamAsync(HttpClient client) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/events/stream"), HttpCompletionOption.ResponseHeadersRead);
}

public sealed class SqliteLimitScenarios(DatabaseFixture fixture) : LimitScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresLimitScenarios(PostgresServer server, DatabaseFixture fixture) : LimitScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override async Task<BankDatabase> CreateDatabaseAsync() => await PostgresDatabase.CreateAsync(server);
}
