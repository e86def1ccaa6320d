using System.Net;
using System.Text.Json;
using Bank.Host.Tests.Infrastructure;

namespace Bank.Host.Tests;

/// <summary>The OpenAPI document tells the truth about every endpoint, Swagger UI shows it, and the health endpoints answer.</summary>
/// <remarks>The read model's operations are documented by <see cref="ReadModelApiDocumentationTests"/> (needs the read side).</remarks>
public sealed class ApiDocumentationTests(DatabaseFixture fixture) : HostScenario(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());

    /// <summary>Every operation of the host without its read model, and the response codes each documents.</summary>
    public static TheoryData<string, string, string[]> Operations => new()
    {
        { "/accounts", "post", ["201", "400", "401", "403", "409", "413", "415", "429", "503"] },
        { "/accounts/{id}/deposits", "post", ["200", "400", "401", "403", "404", "409", "413", "415", "429", "503"] },
        { "/accounts/{id}/withdrawals", "post", ["200", "400", "401", "403", "404", "409", "413", "415", "429", "503"] },
        { "/accounts/{id}/close", "post", ["200", "400", "401", "403", "404", "409", "429", "503"] },
        { "/accounts/{id}", "get", ["200", "400", "401", "403", "404", "503"] },
        { "/accounts/{id}/events", "get", ["200", "400", "401", "403", "404", "503"] },
        { "/events/stream", "get", ["200", "400", "401", "403", "429"] },
        { "/health/live", "get", ["200"] },
        { "/health/ready", "get", ["200", "503"] },
        { "/cluster", "get", ["200", "401", "403", "503"] },
        { "/transfers", "post", ["202", "400", "401", "403", "404", "409", "413", "415", "429", "503"] },
        { "/transfers/{id}", "get", ["200", "400", "401", "403", "404", "503"] },
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task The_OpenAPI_document_lists_the_operation_with_its_response_codes(string path, string method, string[] codes)
    {
        var document = await DocumentAsync();
        Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item), $"No path {path}.");
        Assert.True(item.TryGetProperty(method, out var operation), $"No {method} on {path}.");
        var documented = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order().ToArray();
        Assert.Equal(codes.Order().ToArray(), documented);

        foreach (var code in codes.Where(c => c[0] is '4' or '5'))
        {
            var content = operation.GetProperty("responses").GetProperty(code).GetProperty("content");
            Assert.True(content.TryGetProperty("application/problem+json", out _), $"{method} {path} {code} is not documented as a problem.");
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_request_bodies_and_headers()
    {
        var document = await DocumentAsync();
        var deposit = document.GetProperty("paths").GetProperty("/accounts/{id}/deposits").GetProperty("post");
        Assert.True(deposit.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.Contains(deposit.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header");

        var schemas = document.GetProperty("components").GetProperty("schemas");
        var amount = schemas.GetProperty("AmountRequest");
        Assert.Contains(amount.GetProperty("required").EnumerateArray(), r => r.GetString() == "amount");
        Assert.True(schemas.GetProperty("AccountWriteResponse").GetProperty("properties").TryGetProperty("offset", out _));
    }

    [Fact]
    public async Task The_event_stream_is_documented_as_server_sent_events_with_Last_Event_ID()
    {
        var document = await DocumentAsync();
        var stream = document.GetProperty("paths").GetProperty("/events/stream").GetProperty("get");
        var ok = stream.GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.True(ok.TryGetProperty("text/event-stream", out var events), $"Not text/event-stream: {ok}");
        Assert.EndsWith("StreamedEvent", events.GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Contains(stream.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Last-Event-ID" && p.GetProperty("in").GetString() == "header");
        Assert.Contains(stream.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "offset" && p.GetProperty("in").GetString() == "query");

        var envelope = document.GetProperty("components").GetProperty("schemas").GetProperty("StreamedEvent").GetProperty("properties");
        foreach (var field in new[] { "offset", "persistenceId", "sequenceNr", "timestamp", "tags", "type", "event" })
            Assert.True(envelope.TryGetProperty(field, out _), $"StreamedEvent has no '{field}'.");
    }

    [Fact]
    public async Task Swagger_UI_is_served_at_swagger()
    {
        var response = await Client.GetAsync("/swagger");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger-ui", html, StringComparison.OrdinalIgnoreCase);

        var config = await Client.GetStringAsync("/swagger/index.js");
        Assert.Contains("/openapi/v1.json", config);
    }

    [Fact]
    public async Task Health_live_and_ready_answer_200()
    {
        var live = await (await Client.GetAsync("/health/live")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("live", live.GetProperty("status").GetString());
        // Ready once the node is Up and its shard region has registered: a moment after start.
        await BankHttp.EventuallyAsync(async () => (await Client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "the host to be ready");
        var ready = await (await Client.GetAsync("/health/ready")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        var response = await Client.GetAsync("/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_bearer_scheme_and_requires_it_where_a_role_is_needed()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.Equal("JWT", scheme.GetProperty("bearerFormat").GetString());

        var paths = document.GetProperty("paths");
        foreach (var (path, method) in new[] { ("/accounts", "post"), ("/accounts/{id}", "get"), ("/events/stream", "get"), ("/cluster", "get") })
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            var requirement = Assert.Single(operation.GetProperty("security").EnumerateArray());
            Assert.True(requirement.TryGetProperty("Bearer", out _), $"{method} {path} does not require the bearer scheme: {requirement}");
            Assert.Contains("Requires a bearer token with the role", operation.GetProperty("description").GetString(), StringComparison.Ordinal);
        }
        Assert.False(paths.GetProperty("/health/live").GetProperty("get").TryGetProperty("security", out _), "Health needs no token.");
    }

    [Fact]
    public async Task Swagger_UI_keeps_the_bearer_token_it_was_given()
    {
        var page = await (await Client.GetAsync("/swagger/index.js")).ExpectTextAsync(HttpStatusCode.OK);
        Assert.Contains("\"persistAuthorization\":true", page.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_documented_problem_type_is_one_the_API_knows()
    {
        var document = await DocumentAsync();
        var description = document.GetProperty("info").GetProperty("description").GetString();
        Assert.Contains(BankHttp.ProblemTypePrefix, description);
        Assert.Equal(
            ["account-closed", "already-exists", "balance-not-zero", "currency-mismatch", "forbidden", "headers-too-large", "idempotency-conflict", "insufficient-funds", "internal",
             "journal-unavailable", "not-found", "not-ready", "payload-too-large", "projection-not-found", "read-model-behind", "too-many-requests", "transfer-in-flight", "transfer-not-found", "unauthorized",
             "unsupported-media-type", "validation"],
            Bank.Host.Http.ProblemTypes.All.Select(t => t.Code).Order(StringComparer.Ordinal));
        Assert.All(Bank.Host.Http.ProblemTypes.All, t => Assert.Equal(BankHttp.ProblemTypePrefix + t.Code, t.Uri));
    }

    [Fact]
    public async Task The_OpenAPI_document_has_the_account_event_and_health_paths()
    {
        var document = await DocumentAsync();
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Subset(paths, Operations.Select(row => (string)row[0]).ToHashSet());
    }

    private async Task<JsonElement> DocumentAsync()
    {
        var response = await Client.GetAsync("/openapi/v1.json");
        return await response.ExpectAsync(HttpStatusCode.OK);
    }
}
