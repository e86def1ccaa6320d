using System.Net;
using System.Text.Json;
using Bank.Host.Tests.Infrastructure;

namespace Bank.Host.Tests;

/// <summary>The OpenAPI document tells the truth about every endpoint, Swagger UI shows it, and the health endpoints answer.</summary>
public sealed class ApiDocumentationTests(InMemoryBankFixture fixture) : IClassFixture<InMemoryBankFixture>
{
    private readonly HttpClient _client = fixture.Factory.CreateClient();

    public static TheoryData<string, string, string[]> Operations => new()
    {
        { "/accounts", "post", ["201", "400", "409", "413", "415", "503"] },
        { "/accounts/{id}/deposits", "post", ["200", "400", "404", "409", "413", "415", "503"] },
        { "/accounts/{id}/withdrawals", "post", ["200", "400", "404", "409", "413", "415", "503"] },
        { "/accounts/{id}/close", "post", ["200", "400", "404", "409", "503"] },
        { "/accounts/{id}", "get", ["200", "400", "404", "503"] },
        { "/accounts/{id}/events", "get", ["200", "400", "404", "503"] },
        { "/accounts", "get", ["200", "400", "503"] },
        { "/accounts/{id}/transactions", "get", ["200", "400", "404", "503"] },
        { "/stats", "get", ["200", "400", "503"] },
        { "/projections", "get", ["200"] },
        { "/projections/{name}", "get", ["200", "404"] },
        { "/projections/{name}/rebuild", "post", ["202", "404", "503"] },
        { "/events/stream", "get", ["200", "400"] },
        { "/health/live", "get", ["200"] },
        { "/health/ready", "get", ["200", "503"] },
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
    public async Task The_OpenAPI_document_has_exactly_the_API_paths()
    {
        var document = await DocumentAsync();
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(Operations.Select(row => (string)row[0]).Distinct().Order().ToArray(), paths);
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

    [Theory]
    [InlineData("/accounts")]
    [InlineData("/accounts/{id}/transactions")]
    [InlineData("/stats")]
    public async Task The_read_model_queries_document_minOffset(string path)
    {
        var document = await DocumentAsync();
        var operation = document.GetProperty("paths").GetProperty(path).GetProperty("get");
        var minOffset = Assert.Single(operation.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "minOffset");
        Assert.Equal("query", minOffset.GetProperty("in").GetString());
        Assert.Equal("integer", minOffset.GetProperty("schema").GetProperty("type").GetString());
        Assert.Contains("read-model-behind", minOffset.GetProperty("description").GetString());
    }

    [Fact]
    public async Task The_read_model_responses_are_described()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths");
        Assert.Equal("#/components/schemas/AccountListResponse", OkSchema(paths, "/accounts", "get"));
        Assert.Equal("#/components/schemas/TransactionListResponse", OkSchema(paths, "/accounts/{id}/transactions", "get"));
        Assert.Equal("#/components/schemas/BankStatsResponse", OkSchema(paths, "/stats", "get"));
        Assert.Equal("#/components/schemas/ProjectionListResponse", OkSchema(paths, "/projections", "get"));
        Assert.Equal("#/components/schemas/ProjectionStatusResponse", OkSchema(paths, "/projections/{name}/rebuild", "post", "202"));

        var schemas = document.GetProperty("components").GetProperty("schemas");
        var stats = schemas.GetProperty("BankStatsResponse").GetProperty("properties");
        Assert.Equal(["accountsClosed", "accountsOpen", "currencies"], stats.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("array", stats.GetProperty("currencies").GetProperty("type").GetString());
        Assert.Equal("#/components/schemas/CurrencyStatsResponse", stats.GetProperty("currencies").GetProperty("items").GetProperty("$ref").GetString());
        var perCurrency = schemas.GetProperty("CurrencyStatsResponse");
        Assert.Equal(["accountsClosed", "accountsOpen", "currency", "totalBalance", "totalDeposited", "totalWithdrawn"],
            perCurrency.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Order(StringComparer.Ordinal));
        foreach (var money in new[] { "totalBalance", "totalDeposited", "totalWithdrawn" })
            Assert.Equal("decimal", perCurrency.GetProperty("properties").GetProperty(money).GetProperty("format").GetString());
        Assert.Equal("decimal", schemas.GetProperty("TransactionResponse").GetProperty("properties").GetProperty("balanceAfter").GetProperty("format").GetString());
        var states = schemas.GetProperty("ProjectionState").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(["stopped", "running", "rebuilding", "failed"], states);
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
        var response = await _client.GetAsync("/swagger");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger-ui", html, StringComparison.OrdinalIgnoreCase);

        var config = await _client.GetStringAsync("/swagger/index.js");
        Assert.Contains("/openapi/v1.json", config);
    }

    [Fact]
    public async Task Health_live_and_ready_answer_200()
    {
        var live = await (await _client.GetAsync("/health/live")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("live", live.GetProperty("status").GetString());
        var ready = await (await _client.GetAsync("/health/ready")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        var response = await _client.GetAsync("/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static string? OkSchema(JsonElement paths, string path, string method, string status = "200") =>
        paths.GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty(status).GetProperty("content")
            .GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();

    private async Task<JsonElement> DocumentAsync()
    {
        var response = await _client.GetAsync("/openapi/v1.json");
        return await response.ExpectAsync(HttpStatusCode.OK);
    }
}
