using System.Globalization;
using System.Net;
using System.Text.Json;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.Host.Tests;

/// <summary>
/// Who may do what (issue 14), on every journal: <see cref="SqliteAccessScenarios"/> and <see cref="PostgresAccessScenarios"/>.
/// Each test has customers of its own (fresh subjects), so the tests of a class share one host. The shared clients of the
/// other scenarios send the staff token (teller and admin); here each client says which token it sends.
/// </summary>
public abstract class AccessScenarios(DatabaseFixture fixture) : HostScenario(fixture)
{
    private static string NewSubject(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private HttpClient ClientAs(string? token) => Host.CreateClient(token);

    // ------------------------------------------------------------------ authentication

    [Theory]
    [InlineData("POST", "/accounts")]
    [InlineData("POST", "/accounts/acc-1/deposits")]
    [InlineData("GET", "/accounts/acc-1")]
    [InlineData("GET", "/accounts/acc-1/events")]
    [InlineData("GET", "/accounts/acc-1/transactions")]
    [InlineData("GET", "/accounts")]
    [InlineData("GET", "/stats")]
    [InlineData("GET", "/events/stream")]
    [InlineData("GET", "/projections")]
    [InlineData("POST", "/projections/bank-accounts/rebuild")]
    [InlineData("GET", "/cluster")]
    [InlineData("POST", "/transfers")]
    [InlineData("GET", "/transfers/8d1f1f4e-6d7e-4f57-9a51-2f6c1d7e0b11")]
    [InlineData("GET", "/accounts/acc-1/transfers")]
    public async Task Without_a_token_the_API_answers_401_with_a_problem_and_a_bearer_challenge(string method, string path)
    {
        using var anonymous = ClientAs(null);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = new StringContent("""{"amount":1}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await anonymous.SendAsync(request);

        var problem = await response.ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("bearer token is required", problem.Detail(), StringComparison.Ordinal);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Health_and_the_API_documentation_need_no_token()
    {
        using var anonymous = ClientAs(null);
        await (await anonymous.GetAsync("/health/live")).ExpectAsync(HttpStatusCode.OK);
        await (await anonymous.GetAsync("/openapi/v1.json")).ExpectAsync(HttpStatusCode.OK);
    }

    public static TheoryData<string, string, string> RefusedTokens => new()
    {
        { "another key", TestTokens.MintWith(key: Convert.ToBase64String(new byte[32])), "signature" },
        { "alg none", TestTokens.Unsigned(), "signature" },
        { "another audience", TestTokens.MintWith(audience: "someone-elses-api"), "audience" },
        { "another issuer", TestTokens.MintWith(issuer: "https://evil.example"), "issuer" },
        { "expired", TestTokens.MintWith(from: new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero), lifetime: TimeSpan.FromHours(1)), "expired" },
        { "a changed role", Tampered(TestTokens.Customer("eve")), "signature" },
        { "garbage", "not-a-jwt", "not valid" },
        { "HS512, not an accepted algorithm", TestTokens.SignedWithHs512(), "signature" },
    };

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task A_token_that_is_not_valid_is_401_and_nothing_happens(string what, string token, string reason)
    {
        var id = await Client.OpenAsync(initialDeposit: 10m);
        using var client = ClientAs(token);

        using var response = await client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":10}""");
        var problem = await response.ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.True(problem.Detail().Contains(reason, StringComparison.Ordinal), $"{what}: {problem.Detail()}");
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(10m, (await Client.GetAccountAsync(id)).Balance());
    }

    [Fact]
    public async Task Expiry_is_judged_with_the_configured_clock_skew()
    {
        var now = DateTimeOffset.UtcNow;
        using var justExpired = ClientAs(TestTokens.MintWith(from: now.AddMinutes(-10), lifetime: TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(10)));
        await (await justExpired.GetAsync("/accounts?limit=1")).ExpectAsync(HttpStatusCode.OK);
        using var longExpired = ClientAs(TestTokens.MintWith(from: now.AddMinutes(-10), lifetime: TimeSpan.FromMinutes(8)));
        var problem = await (await longExpired.GetAsync("/accounts?limit=1")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("The token has expired.", problem.Detail());
        using var notYet = ClientAs(TestTokens.MintWith(from: now.AddMinutes(2), lifetime: TimeSpan.FromMinutes(10)));
        await (await notYet.GetAsync("/accounts?limit=1")).ExpectProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    /// <summary>The token with its payload's role changed to teller and its signature kept.</summary>
    private static string Tampered(string token)
    {
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]))!;
        payload["role"] = JsonSerializer.SerializeToElement("teller");
        return $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.{parts[2]}";
    }

    // ------------------------------------------------------------------ customers: their own accounts only

    [Fact]
    public async Task A_customer_opens_accounts_for_itself_and_every_event_records_who_issued_it()
    {
        var ada = NewSubject("ada");
        using var customer = ClientAs(TestTokens.Customer(ada));
        var id = BankHttp.NewAccountId();

        var opened = await (await customer.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","initialDeposit":10}""")).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(ada, opened.GetProperty("owner").GetString());
        await (await customer.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":4}""")).ExpectAsync(HttpStatusCode.OK);
        using var teller = ClientAs(TestTokens.Teller("teller-7"));
        await (await teller.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1}""")).ExpectAsync(HttpStatusCode.OK);

        var events = await customer.EventsAsync(id);
        Assert.Equal([(ada, "customer"), (ada, "customer"), (ada, "customer"), ("teller-7", "teller")],
            events.Select(e => (e.GetProperty("issuedBy").GetProperty("subject").GetString(), e.GetProperty("issuedBy").GetProperty("role").GetString())));
        Assert.Equal(7m, (await customer.GetAccountAsync(id)).Balance());
    }

    [Fact]
    public async Task A_customer_cannot_open_an_account_for_someone_else_but_a_teller_must_name_the_owner()
    {
        var ada = NewSubject("ada");
        using var customer = ClientAs(TestTokens.Customer(ada));
        await (await customer.PostJsonAsync("/accounts", $$"""{"owner":"{{NewSubject("bob")}}"}""")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "owner");
        await (await customer.PostJsonAsync("/accounts", $$"""{"owner":"{{ada}}"}""")).ExpectAsync(HttpStatusCode.Created);

        using var teller = ClientAs(TestTokens.Teller());
        await (await teller.PostJsonAsync("/accounts", """{"initialDeposit":1}""")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "owner");
        var forAda = await (await teller.PostJsonAsync("/accounts", $$"""{"owner":"{{ada}}"}""")).ExpectAsync(HttpStatusCode.Created);
        await customer.GetAccountAsync(forAda.GetProperty("accountId").GetString()!);
    }

    [Fact]
    public async Task Someone_elses_account_is_404_for_a_customer_exactly_like_a_missing_one_and_is_left_untouched()
    {
        var bob = NewSubject("bob");
        using var bobClient = ClientAs(TestTokens.Customer(bob));
        var id = BankHttp.NewAccountId();
        const string key = "bobs-opening";
        await (await bobClient.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","initialDeposit":100}""", key)).ExpectAsync(HttpStatusCode.Created);
        await (await bobClient.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":5}""", "bobs-deposit")).ExpectAsync(HttpStatusCode.OK);
        var missing = BankHttp.NewAccountId();

        using var mallory = ClientAs(TestTokens.Customer(NewSubject("mallory")));
        foreach (var target in new[] { id, missing })
        {
            var answers = new[]
            {
                await mallory.GetAsync($"/accounts/{target}"),
                await mallory.GetAsync($"/accounts/{target}?version=1"),
                await mallory.GetAsync($"/accounts/{target}/events"),
                await mallory.GetAsync($"/accounts/{target}/transactions"),
                await mallory.PostJsonAsync($"/accounts/{target}/deposits", """{"amount":1}"""),
                await mallory.PostJsonAsync($"/accounts/{target}/withdrawals", """{"amount":1}"""),
                // A retry of Bob's own request, with his key: the answer must not be his account either.
                await mallory.PostJsonAsync($"/accounts/{target}/deposits", """{"amount":5}""", "bobs-deposit"),
                await mallory.PostEmptyAsync($"/accounts/{target}/close"),
            };
            foreach (var answer in answers)
            {
                var problem = await answer.ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
                Assert.Equal($"Account '{target}' does not exist.", problem.Detail());
            }
        }

        // Transferring out of Bob's account (or a missing one) into Mallory's own: refused as not-found, no transfer started.
        var mallorys = await OpenOwnAccountAsync(mallory);
        using var staff = ClientAs(TestTokens.Teller());
        foreach (var source in new[] { id, missing })
        {
            var transferId = Guid.NewGuid();
            var problem = await (await mallory.PostJsonAsync("/transfers", TransferHttp.Body(source, mallorys, 50m, transferId)))
                .ExpectProblemAsync(HttpStatusCode.NotFound, "not-found", "fromAccountId");
            Assert.Equal($"Account '{source}' does not exist.", problem.Detail());
            await (await staff.GetAsync($"/transfers/{transferId:D}")).ExpectProblemAsync(HttpStatusCode.NotFound, "transfer-not-found");
        }
        await (await mallory.GetAsync($"/accounts/{id}/transfers")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        var account = await bobClient.GetAccountAsync(id);
        Assert.Equal(105m, account.Balance());
        Assert.Equal(3, account.Version());
        Assert.Equal(0m, (await mallory.GetAccountAsync(mallorys)).Balance());
    }

    [Fact]
    public async Task A_customer_pays_into_someone_elses_account_and_each_side_sees_the_transfer_but_a_stranger_does_not()
    {
        var ada = NewSubject("ada");
        var bob = NewSubject("bob");
        using var adaClient = ClientAs(TestTokens.Customer(ada));
        using var bobClient = ClientAs(TestTokens.Customer(bob));
        using var eve = ClientAs(TestTokens.Customer(NewSubject("eve")));
        var adas = await OpenOwnAccountAsync(adaClient, 100m);
        var bobs = await OpenOwnAccountAsync(bobClient);

        var transferId = await adaClient.TransferAsync(adas, bobs, 30m);
        var ended = await adaClient.EndedTransferAsync(transferId);
        Assert.Equal("completed", ended.GetProperty("status").GetString());
        Assert.Equal(70m, (await adaClient.GetAccountAsync(adas)).Balance());
        Assert.Equal(30m, (await bobClient.GetAccountAsync(bobs)).Balance());

        // The receiver sees it (its account is a side of it); a stranger gets 404, as for a transfer that never was.
        Assert.Equal("completed", (await bobClient.GetTransferAsync(transferId)).GetProperty("status").GetString());
        await (await eve.GetAsync($"/transfers/{transferId:D}")).ExpectProblemAsync(HttpStatusCode.NotFound, "transfer-not-found");
        // A stranger replaying its id learns nothing of it either.
        var eves = await OpenOwnAccountAsync(eve, 10m);
        await (await eve.PostJsonAsync("/transfers", TransferHttp.Body(eves, adas, 30m, transferId))).ExpectProblemAsync(HttpStatusCode.Conflict, "idempotency-conflict");
        // Bob cannot send Ada's money to himself by naming her account as the source.
        await (await bobClient.PostJsonAsync("/transfers", TransferHttp.Body(adas, bobs, 10m))).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found", "fromAccountId");
        Assert.Equal(70m, (await adaClient.GetAccountAsync(adas)).Balance());

        // Both accounts' transfer events record who moved the money: Ada, as a customer.
        foreach (var (client, accountId) in new[] { (adaClient, adas), (bobClient, bobs) })
        {
            var last = (await client.EventsAsync(accountId)).Last();
            Assert.Equal((ada, "customer"), (last.GetProperty("issuedBy").GetProperty("subject").GetString(), last.GetProperty("issuedBy").GetProperty("role").GetString()));
        }
    }

    private static async Task<string> OpenOwnAccountAsync(HttpClient customer, decimal initialDeposit = 0m)
    {
        var id = BankHttp.NewAccountId();
        var body = $$"""{"accountId":"{{id}}","initialDeposit":{{initialDeposit.ToString(CultureInfo.InvariantCulture)}}}""";
        await (await customer.PostJsonAsync("/accounts", body)).ExpectAsync(HttpStatusCode.Created);
        return id;
    }

    [Fact]
    public async Task A_customers_list_and_stats_hold_only_its_own_accounts()
    {
        var ada = NewSubject("ada");
        var bob = NewSubject("bob");
        using var adaClient = ClientAs(TestTokens.Customer(ada));
        using var bobClient = ClientAs(TestTokens.Customer(bob));
        var adaEur = await OpenAsAsync(adaClient, 100m, "EUR");
        var adaChf = await OpenAsAsync(adaClient, 50m, "CHF");
        await OpenAsAsync(bobClient, 1000m, "EUR");
        await (await adaClient.PostJsonAsync($"/accounts/{adaEur.Id}/withdrawals", """{"amount":30}""")).ExpectAsync(HttpStatusCode.OK);
        var last = (await (await bobClient.PostJsonAsync("/accounts", """{"initialDeposit":1}""")).ExpectAsync(HttpStatusCode.Created)).Offset();

        var list = await (await adaClient.GetAsync($"/accounts?minOffset={last}&limit=1000")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(new[] { adaEur.Id, adaChf.Id }.Order(StringComparer.Ordinal),
            list.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("accountId").GetString()));
        var bobsAsked = await (await adaClient.GetAsync($"/accounts?owner={bob}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(bobsAsked.GetProperty("accounts").EnumerateArray());

        var stats = await (await adaClient.GetAsync($"/stats?minOffset={last}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, stats.GetProperty("accountsOpen").GetInt64());
        var currencies = stats.GetProperty("currencies").EnumerateArray().ToDictionary(c => c.GetProperty("currency").GetString()!);
        Assert.Equal(["CHF", "EUR"], currencies.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(70m, currencies["EUR"].GetProperty("totalBalance").GetDecimal());
        Assert.Equal(100m, currencies["EUR"].GetProperty("totalDeposited").GetDecimal());
        Assert.Equal(30m, currencies["EUR"].GetProperty("totalWithdrawn").GetDecimal());
        Assert.Equal(50m, currencies["CHF"].GetProperty("totalBalance").GetDecimal());

        // A teller sees everybody's.
        using var teller = ClientAs(TestTokens.Teller());
        var all = await (await teller.GetAsync($"/accounts?owner={bob}&minOffset={last}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, all.GetProperty("accounts").GetArrayLength());
        var bankStats = await (await teller.GetAsync($"/stats?minOffset={last}")).ExpectAsync(HttpStatusCode.OK);
        Assert.True(bankStats.GetProperty("accountsOpen").GetInt64() >= 4);
    }

    [Fact]
    public async Task A_customers_event_feed_carries_only_its_own_accounts_events()
    {
        var ada = NewSubject("ada");
        using var adaClient = ClientAs(TestTokens.Customer(ada));
        using var bobClient = ClientAs(TestTokens.Customer(NewSubject("bob")));
        // Opened by a teller for Ada before the stream starts: the stream learns its owner from the account itself.
        var early = (await (await Client.PostJsonAsync("/accounts", $$"""{"owner":"{{ada}}"}""")).ExpectAsync(HttpStatusCode.Created));
        var earlyId = early.GetProperty("accountId").GetString()!;

        await using var stream = await EventStream.ConnectAsync(adaClient, query: $"?offset={early.Offset()}");
        var bobs = await OpenAsAsync(bobClient, 5m, "EUR");
        var adas = await OpenAsAsync(adaClient, 0m, "EUR");
        await (await bobClient.PostJsonAsync($"/accounts/{bobs.Id}/deposits", """{"amount":1}""")).ExpectAsync(HttpStatusCode.OK);
        var earlyDeposit = (await (await adaClient.PostJsonAsync($"/accounts/{earlyId}/deposits", """{"amount":2}""")).ExpectAsync(HttpStatusCode.OK)).Offset();
        var adasDeposit = (await (await adaClient.PostJsonAsync($"/accounts/{adas.Id}/deposits", """{"amount":3}""")).ExpectAsync(HttpStatusCode.OK)).Offset();

        var events = await stream.TakeAsync(3);
        Assert.Equal([adas.Offset, earlyDeposit, adasDeposit], events.Select(e => e.Id));
        Assert.All(events, e => Assert.Contains(e.Data.GetProperty("persistenceId").GetString(), new[] { earlyId, adas.Id }));
        Assert.True(await stream.StaysQuietAsync(TimeSpan.FromMilliseconds(300)), "An event of someone else's account arrived.");
    }

    // ------------------------------------------------------------------ staff roles

    [Fact]
    public async Task A_teller_reads_and_acts_on_every_account_but_not_on_projections_the_cluster_or_the_full_feed()
    {
        using var customer = ClientAs(TestTokens.Customer(NewSubject("ada")));
        var adas = await OpenAsAsync(customer, 10m, "EUR");
        using var teller = ClientAs(TestTokens.Teller());

        await (await teller.PostJsonAsync($"/accounts/{adas.Id}/withdrawals", """{"amount":10}""")).ExpectAsync(HttpStatusCode.OK);
        await teller.GetAccountAsync(adas.Id);
        await (await teller.GetAsync($"/accounts/{adas.Id}/transactions?minOffset={adas.Offset}")).ExpectAsync(HttpStatusCode.OK);
        await (await teller.PostEmptyAsync($"/accounts/{adas.Id}/close")).ExpectAsync(HttpStatusCode.OK);

        foreach (var (method, path) in new[] { ("GET", "/projections"), ("POST", "/projections/bank-accounts/rebuild"), ("GET", "/cluster"), ("GET", "/events/stream") })
            await (await teller.SendAsync(new HttpRequestMessage(new HttpMethod(method), path))).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_customer_is_forbidden_the_operators_endpoints()
    {
        using var customer = ClientAs(TestTokens.Customer(NewSubject("ada")));
        foreach (var (method, path) in new[] { ("GET", "/projections"), ("GET", "/projections/bank-accounts"), ("POST", "/projections/bank-accounts/rebuild"), ("GET", "/cluster") })
            await (await customer.SendAsync(new HttpRequestMessage(new HttpMethod(method), path))).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_admin_operates_the_host_and_follows_every_event_but_does_not_bank()
    {
        using var admin = ClientAs(TestTokens.Admin());
        await (await admin.GetAsync("/projections")).ExpectAsync(HttpStatusCode.OK);
        await (await admin.GetAsync("/cluster")).ExpectAsync(HttpStatusCode.OK);

        using var ada = ClientAs(TestTokens.Customer(NewSubject("ada")));
        using var bob = ClientAs(TestTokens.Customer(NewSubject("bob")));
        var first = await OpenAsAsync(ada, 1m, "EUR");
        await using var stream = await EventStream.ConnectAsync(admin, query: $"?offset={first.Offset}");
        var second = await OpenAsAsync(bob, 0m, "EUR");
        var third = await OpenAsAsync(ada, 0m, "EUR");
        Assert.Equal([second.Offset, third.Offset], (await stream.TakeAsync(2)).Select(e => e.Id));

        await (await admin.PostJsonAsync("/accounts", """{"owner":"someone"}""")).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await admin.GetAsync($"/accounts/{first.Id}")).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_token_without_a_bank_role_is_forbidden_everywhere()
    {
        using var nobody = ClientAs(TestTokens.Mint(NewSubject("nobody"), "auditor"));
        await (await nobody.GetAsync("/accounts")).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await nobody.PostJsonAsync("/accounts", """{"owner":"x"}""")).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await nobody.GetAsync("/events/stream")).ExpectProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    private sealed record Opened(string Id, long Offset);

    private static async Task<Opened> OpenAsAsync(HttpClient client, decimal initialDeposit, string currency)
    {
        var id = BankHttp.NewAccountId();
        var body = JsonSerializer.Serialize(new { accountId = id, currency, initialDeposit });
        var opened = await (await client.PostJsonAsync("/accounts", body)).ExpectAsync(HttpStatusCode.Created);
        return new Opened(id, opened.Offset());
    }
}

public sealed class SqliteAccessScenarios(DatabaseFixture fixture) : AccessScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresAccessScenarios(PostgresServer server, DatabaseFixture fixture) : AccessScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override async Task<BankDatabase> CreateDatabaseAsync() => await PostgresDatabase.CreateAsync(server);
}
