using System.Globalization;
using System.Net;
using System.Text.Json;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.Host.Tests;

/// <summary>
/// The HTTP scenarios of the bank, run against every journal: <see cref="SqliteAccountScenarios"/> and
/// <see cref="PostgresAccountScenarios"/>. Each test uses its own account ids, so the tests of a class share one host.
/// </summary>
public abstract class AccountScenarios(DatabaseFixture fixture) : HostScenario(fixture)
{
    [Fact]
    public async Task The_host_writes_to_the_database_it_was_given()
    {
        Assert.Equal(Host.Database.Journal, Host.Hocon.Journal.ToString().ToLowerInvariant());
        var id = await OpenAsync(initialDeposit: 1m);
        Assert.Equal(2L, Convert.ToInt64(await Host.Database.ScalarAsync($"SELECT count(*) FROM journal WHERE persistence_id = '{id}'"), CultureInfo.InvariantCulture));
    }

    // ------------------------------------------------------------------ happy paths

    [Fact]
    public async Task Open_deposit_withdraw_close_happy_path()
    {
        var id = BankHttp.NewAccountId();
        var opened = await (await Client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"  Alice  ","currency":"CHF","initialDeposit":100}"""))
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(id, opened.GetProperty("accountId").GetString());
        Assert.Equal("Alice", opened.GetProperty("owner").GetString());
        Assert.Equal("CHF", opened.GetProperty("currency").GetString());
        Assert.Equal(100m, opened.Balance());
        Assert.Equal("open", opened.Status());
        Assert.Equal(2, opened.Version());

        var deposited = await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":50.25}""")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(150.25m, deposited.Balance());
        Assert.Equal(3, deposited.Version());

        var withdrawn = await (await Client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":150.25}""")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0m, withdrawn.Balance());
        Assert.Equal(4, withdrawn.Version());

        var closed = await (await Client.PostEmptyAsync($"/accounts/{id}/close")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("closed", closed.Status());
        Assert.Equal(5, closed.Version());

        var now = await (await Client.GetAsync($"/accounts/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("closed", now.Status());
        Assert.Equal(0m, now.Balance());
        Assert.Equal(5, now.Version());
        Assert.False(now.TryGetProperty("offset", out _));

        var events = await EventsAsync(id);
        Assert.Equal(
            ["bank.account-opened.v2", "bank.money-deposited.v1", "bank.money-deposited.v1", "bank.money-withdrawn.v1", "bank.account-closed.v1"],
            events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1L, 2, 3, 4, 5], events.Select(e => e.GetProperty("version").GetInt64()));
        Assert.Equal("Alice", events[0].GetProperty("owner").GetString());
        Assert.Equal(50.25m, events[2].GetProperty("amount").GetDecimal());
        Assert.Equal(150.25m, events[2].GetProperty("balanceAfter").GetDecimal());
        Assert.Equal(0m, events[4].GetProperty("finalBalance").GetDecimal());
        Assert.False(events[0].TryGetProperty("amount", out _));
    }

    [Fact]
    public async Task Opening_answers_201_with_Location_view_and_offset()
    {
        var id = BankHttp.NewAccountId();
        var response = await Client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Bob"}""");
        var body = await response.ExpectAsync(HttpStatusCode.Created);

        Assert.Equal($"/accounts/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("EUR", body.GetProperty("currency").GetString());
        Assert.Equal(0m, body.Balance());
        Assert.Equal(1, body.Version());
        Assert.True(body.GetProperty("offset").GetInt64() > 0);
        Assert.False(response.Headers.Contains("Idempotent-Replayed"));

        var located = await (await Client.GetAsync(response.Headers.Location)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(id, located.GetProperty("accountId").GetString());

        var deposit = await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1}""")).ExpectAsync(HttpStatusCode.OK);
        Assert.True(deposit.GetProperty("offset").GetInt64() > body.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task An_account_id_is_generated_when_none_is_given()
    {
        var response = await Client.PostJsonAsync("/accounts", """{"owner":"Carol"}""");
        var body = await response.ExpectAsync(HttpStatusCode.Created);
        var id = body.GetProperty("accountId").GetString()!;

        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal($"/accounts/{id}", response.Headers.Location?.OriginalString);
        await (await Client.GetAsync($"/accounts/{id}")).ExpectAsync(HttpStatusCode.OK);

        var other = await (await Client.PostJsonAsync("/accounts", """{"owner":"Carol"}""")).ExpectAsync(HttpStatusCode.Created);
        Assert.NotEqual(id, other.GetProperty("accountId").GetString());
    }

    [Fact]
    public async Task Retrying_an_open_without_id_with_the_same_key_opens_one_account()
    {
        var key = "open-" + Guid.NewGuid();
        var first = await (await Client.PostJsonAsync("/accounts", """{"owner":"Dan","initialDeposit":10}""", key)).ExpectAsync(HttpStatusCode.Created);
        var retry = await Client.PostJsonAsync("/accounts", """{"owner":"Dan","initialDeposit":10}""", key);
        var second = await retry.ExpectAsync(HttpStatusCode.Created);

        var id = first.GetProperty("accountId").GetString()!;
        Assert.Equal(id, second.GetProperty("accountId").GetString());
        Assert.Equal(first.Version(), second.Version());
        Assert.Equal(10m, second.Balance());
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(2, (await EventsAsync(id)).Count);
    }

    // ------------------------------------------------------------------ validation

    [Theory]
    [InlineData("has space")]
    [InlineData("dots.are.not.allowed")]
    [InlineData("")]
    [InlineData("x12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task An_invalid_account_id_in_the_body_is_400(string id)
    {
        var response = await Client.PostJsonAsync("/accounts", JsonSerializer.Serialize(new { accountId = id, owner = "Eve" }));
        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "accountId");
        Assert.Contains("1 to 64", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("dots.are.not.allowed")]
    [InlineData("x12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task An_invalid_account_id_in_the_path_is_400(string id)
    {
        await (await Client.GetAsync($"/accounts/{id}")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "accountId");
        await (await Client.GetAsync($"/accounts/{id}/events")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "accountId");
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1}""")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "accountId");
        await (await Client.PostEmptyAsync($"/accounts/{id}/close")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "accountId");
    }

    [Theory]
    [InlineData("""{"amount": }""", "amount")]
    [InlineData("""{"amount": 12.5""", "amount")]
    [InlineData("""{"amount": 1O}""", "amount")]
    public async Task Malformed_json_is_400_naming_the_field(string json, string field)
    {
        var id = await OpenAsync();
        var problem = await (await Client.PostJsonAsync($"/accounts/{id}/deposits", json)).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", field);
        Assert.Contains("not valid JSON", problem.GetProperty("detail").GetString());
        Assert.Single(await EventsAsync(id));
    }

    [Fact]
    public async Task Malformed_json_without_a_field_is_400()
    {
        var id = await OpenAsync();
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", "not json")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "body");
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", "[1]")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "body");
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", "null")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "body");
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", "")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task An_unknown_field_is_400_naming_it()
    {
        var id = await OpenAsync();
        var problem = await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":10,"currency":"EUR"}"""))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "currency");
        Assert.Contains("not a known field", problem.GetProperty("detail").GetString());

        await (await Client.PostJsonAsync("/accounts", """{"owner":"Fay","nickname":"F"}""")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "nickname");
        Assert.Single(await EventsAsync(id));
    }

    [Theory]
    [InlineData("""{"amount":"10"}""")]
    [InlineData("""{"amount":true}""")]
    [InlineData("""{"amount":[1]}""")]
    [InlineData("""{"amount":null}""")]
    public async Task A_wrong_type_is_400_naming_the_field(string json)
    {
        var id = await OpenAsync();
        var problem = await (await Client.PostJsonAsync($"/accounts/{id}/deposits", json)).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "amount");
        Assert.Contains("must be a number", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Missing_required_fields_are_400_naming_them()
    {
        var id = await OpenAsync();
        var problem = await (await Client.PostJsonAsync($"/accounts/{id}/deposits", "{}")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "amount");
        Assert.Contains("required", problem.GetProperty("detail").GetString());
        await (await Client.PostJsonAsync("/accounts", """{"currency":"EUR"}""")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "owner");
        await (await Client.PostJsonAsync("/accounts", """{"owner":"   "}""")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "owner");
    }

    [Fact]
    public async Task Every_invalid_field_of_an_open_is_reported()
    {
        var problem = await (await Client.PostJsonAsync("/accounts", """{"accountId":"a b","owner":"","currency":"eur","initialDeposit":-1}"""))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "accountId");
        var errors = problem.GetProperty("errors");
        Assert.Equal(["accountId", "currency", "initialDeposit", "owner"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Theory]
    [InlineData("1.005")]
    [InlineData("0.001")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("-0.01")]
    [InlineData("1000000000000.01")]
    public async Task An_amount_that_is_not_positive_or_has_more_than_two_decimals_is_400(string amount)
    {
        var id = await OpenAsync(initialDeposit: 100m);
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", $$"""{"amount":{{amount}}}""")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "amount");
        await (await Client.PostJsonAsync($"/accounts/{id}/withdrawals", $$"""{"amount":{{amount}}}""")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "amount");
        Assert.Equal(2, (await EventsAsync(id)).Count);
    }

    [Fact]
    public async Task Trailing_zeros_beyond_two_decimals_are_fine()
    {
        var id = await OpenAsync();
        var body = await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1.100}""")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1.1m, body.Balance());
    }

    [Fact]
    public async Task A_body_over_64_KB_is_413()
    {
        var id = await OpenAsync();
        var json = $$"""{"amount":1,"padding":"{{new string('x', 70 * 1024)}}"}""";
        var problem = await (await Client.PostJsonAsync($"/accounts/{id}/deposits", json)).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Contains("65536 bytes", problem.GetProperty("detail").GetString());
        Assert.Single(await EventsAsync(id));

        var justUnder = $$"""{"amount":1,"padding":"{{new string('x', 64_000)}}"}""";
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", justUnder)).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "padding");
    }

    [Fact]
    public async Task A_body_that_is_not_json_content_is_415()
    {
        var id = await OpenAsync();
        using var content = new StringContent("""{"amount":1}""", System.Text.Encoding.UTF8, "text/plain");
        await (await Client.PostAsync($"/accounts/{id}/deposits", content)).ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    // ------------------------------------------------------------------ refusals

    [Fact]
    public async Task Withdrawal_beyond_balance_is_refused_and_nothing_is_persisted()
    {
        var id = await OpenAsync(initialDeposit: 50m);
        var problem = await (await Client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":50.01}"""))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "insufficient-funds", "amount");
        Assert.Contains("50.01", problem.GetProperty("detail").GetString());

        Assert.Equal(2, (await EventsAsync(id)).Count);
        var account = await (await Client.GetAsync($"/accounts/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(50m, account.Balance());
        Assert.Equal(2, account.Version());
    }

    [Fact]
    public async Task An_unknown_account_is_404_and_no_events_are_created()
    {
        var id = BankHttp.NewAccountId();
        await (await Client.GetAsync($"/accounts/{id}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":5}""")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await Client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":5}""")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await Client.PostEmptyAsync($"/accounts/{id}/close")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await Client.GetAsync($"/accounts/{id}?version=1")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await Client.GetAsync($"/accounts/{id}/events")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await Client.GetAsync($"/accounts/{id}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_closed_account_refuses_everything_with_409_account_closed()
    {
        var id = await OpenAsync();
        await (await Client.PostEmptyAsync($"/accounts/{id}/close")).ExpectAsync(HttpStatusCode.OK);

        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":5}""")).ExpectProblemAsync(HttpStatusCode.Conflict, "account-closed");
        await (await Client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":5}""")).ExpectProblemAsync(HttpStatusCode.Conflict, "account-closed");
        await (await Client.PostEmptyAsync($"/accounts/{id}/close")).ExpectProblemAsync(HttpStatusCode.Conflict, "account-closed");
        Assert.Equal(2, (await EventsAsync(id)).Count);
    }

    [Fact]
    public async Task Closing_with_a_balance_is_409_balance_not_zero()
    {
        var id = await OpenAsync(initialDeposit: 0.01m);
        var problem = await (await Client.PostEmptyAsync($"/accounts/{id}/close")).ExpectProblemAsync(HttpStatusCode.Conflict, "balance-not-zero");
        Assert.Contains("0.01", problem.GetProperty("detail").GetString());
        var account = await (await Client.GetAsync($"/accounts/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("open", account.Status());
    }

    [Fact]
    public async Task Opening_an_existing_account_is_409_already_exists()
    {
        var id = await OpenAsync(initialDeposit: 5m);
        await (await Client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Someone else"}"""))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "already-exists", "accountId");
        var account = await (await Client.GetAsync($"/accounts/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Owner", account.GetProperty("owner").GetString());
        Assert.Equal(2, (await EventsAsync(id)).Count);
    }

    // ------------------------------------------------------------------ idempotency

    [Fact]
    public async Task An_idempotent_retry_returns_the_same_result_and_persists_once()
    {
        var id = await OpenAsync();
        var key = "deposit-" + Guid.NewGuid();
        var first = await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":25.50}""", key);
        var firstBody = await first.ExpectAsync(HttpStatusCode.OK);
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":4.50}""")).ExpectAsync(HttpStatusCode.OK);

        var retry = await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":25.5}""", key);
        var retryBody = await retry.ExpectAsync(HttpStatusCode.OK);

        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(25.5m, retryBody.Balance());
        Assert.Equal(firstBody.Version(), retryBody.Version());
        Assert.Equal(3, (await EventsAsync(id)).Count);
        Assert.Equal(30m, (await (await Client.GetAsync($"/accounts/{id}")).ExpectAsync(HttpStatusCode.OK)).Balance());
    }

    [Fact]
    public async Task The_same_key_for_a_different_request_is_409_idempotency_conflict()
    {
        var id = await OpenAsync(initialDeposit: 100m);
        var key = "withdraw-" + Guid.NewGuid();
        await (await Client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":10}""", key)).ExpectAsync(HttpStatusCode.OK);

        await (await Client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":11}""", key))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "idempotency-conflict", "Idempotency-Key");
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":10}""", key))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "idempotency-conflict", "Idempotency-Key");
        Assert.Equal(3, (await EventsAsync(id)).Count);
    }

    [Fact]
    public async Task An_idempotency_key_over_200_characters_is_400()
    {
        var id = await OpenAsync();
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1}""", new string('k', 201)))
            .ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "Idempotency-Key");
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1}""", new string('k', 200))).ExpectAsync(HttpStatusCode.OK);
    }

    // ------------------------------------------------------------------ the past

    [Fact]
    public async Task Time_travel_by_version_and_asOf()
    {
        var t0 = Host.Clock.Now.AddDays(1);
        Host.Clock.Now = t0;
        var id = await OpenAsync();                                                           // v1 at t0
        Host.Clock.Now = t0.AddHours(1);
        await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":100}""")).ExpectAsync(HttpStatusCode.OK);    // v2 at t0+1h
        Host.Clock.Now = t0.AddHours(2);
        await (await Client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":30}""")).ExpectAsync(HttpStatusCode.OK);  // v3 at t0+2h

        var atV1 = await (await Client.GetAsync($"/accounts/{id}?version=1")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((0m, 1L), (atV1.Balance(), atV1.Version()));
        var atV2 = await (await Client.GetAsync($"/accounts/{id}?version=2")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((100m, 2L), (atV2.Balance(), atV2.Version()));
        await (await Client.GetAsync($"/accounts/{id}?version=4")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        var midway = await (await Client.GetAsync($"/accounts/{id}?asOf={Iso(t0.AddMinutes(90))}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((100m, 2L), (midway.Balance(), midway.Version()));
        var exactly = await (await Client.GetAsync($"/accounts/{id}?asOf={Iso(t0.AddHours(2))}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((70m, 3L), (exactly.Balance(), exactly.Version()));
        var inZurich = await (await Client.GetAsync($"/accounts/{id}?asOf={Uri.EscapeDataString(t0.AddMinutes(30).ToOffset(TimeSpan.FromHours(2)).ToString("O", CultureInfo.InvariantCulture))}"))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, inZurich.Version());
        await (await Client.GetAsync($"/accounts/{id}?asOf={Iso(t0.AddSeconds(-1))}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");

        var events = await EventsAsync(id);
        Assert.Equal([t0, t0.AddHours(1), t0.AddHours(2)], events.Select(e => e.GetProperty("occurredAt").GetDateTimeOffset()));
    }

    [Fact]
    public async Task Bad_time_travel_queries_are_400()
    {
        var id = await OpenAsync();
        var both = await (await Client.GetAsync($"/accounts/{id}?version=1&asOf={Iso(Host.Clock.Now)}")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "version");
        Assert.True(both.GetProperty("errors").TryGetProperty("asOf", out _));
        var malformed = await (await Client.GetAsync($"/accounts/{id}?version=abc")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "version");
        Assert.Equal("'version' must be an integer, not 'abc'.", malformed.GetProperty("detail").GetString());
        await (await Client.GetAsync($"/accounts/{id}?version=0")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "version");
        await (await Client.GetAsync($"/accounts/{id}?asOf=yesterday")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "asOf");
    }

    [Fact]
    public async Task Events_are_paged_oldest_first_with_a_cursor()
    {
        var id = await OpenAsync();
        for (var i = 1; i <= 4; i++)
            await (await Client.PostJsonAsync($"/accounts/{id}/deposits", $$"""{"amount":{{i}}}""")).ExpectAsync(HttpStatusCode.OK);

        var versions = new List<long>();
        long? from = 1;
        var pages = 0;
        while (from is not null)
        {
            var page = await (await Client.GetAsync($"/accounts/{id}/events?fromVersion={from}&limit=2")).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(id, page.GetProperty("accountId").GetString());
            var events = page.GetProperty("events").EnumerateArray().ToList();
            Assert.InRange(events.Count, 1, 2);
            versions.AddRange(events.Select(e => e.GetProperty("version").GetInt64()));
            foreach (var e in events)
            {
                Assert.True(e.GetProperty("offset").GetInt64() > 0);
                Assert.True(e.GetProperty("storedAt").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
            }
            var next = page.GetProperty("nextFromVersion");
            from = next.ValueKind == JsonValueKind.Null ? null : next.GetInt64();
            pages++;
        }
        Assert.Equal([1L, 2, 3, 4, 5], versions);
        Assert.Equal(3, pages);

        var all = await (await Client.GetAsync($"/accounts/{id}/events")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(5, all.GetProperty("events").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, all.GetProperty("nextFromVersion").ValueKind);
        var beyond = await (await Client.GetAsync($"/accounts/{id}/events?fromVersion=6")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, beyond.GetProperty("events").GetArrayLength());

        await (await Client.GetAsync($"/accounts/{id}/events?limit=0")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "limit");
        await (await Client.GetAsync($"/accounts/{id}/events?limit=1001")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "limit");
        await (await Client.GetAsync($"/accounts/{id}/events?fromVersion=0")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "fromVersion");
        await (await Client.GetAsync($"/accounts/{id}/events?limit=many")).ExpectProblemAsync(HttpStatusCode.BadRequest, "validation", "limit");
        await (await Client.GetAsync($"/accounts/{id}/events?limit=1000")).ExpectAsync(HttpStatusCode.OK);
    }

    // ------------------------------------------------------------------ helpers

    protected Task<string> OpenAsync(decimal initialDeposit = 0m) => Client.OpenAsync(initialDeposit);

    protected Task<List<JsonElement>> EventsAsync(string id) => Client.EventsAsync(id);

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture));
}

/// <summary>The scenarios on SQLite, the default journal (a fresh file for this class).</summary>
public sealed class SqliteAccountScenarios(DatabaseFixture fixture) : AccountScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());
}

/// <summary>The scenarios on PostgreSQL (a fresh database on the throwaway server for this class).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAccountScenarios(PostgresServer server, DatabaseFixture fixture) : AccountScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override async Task<BankDatabase> CreateDatabaseAsync() => await PostgresDatabase.CreateAsync(server);
}
