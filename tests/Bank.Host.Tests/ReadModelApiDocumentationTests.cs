using System.Net;
using System.Text.Json;
using Bank.Host.Tests.Infrastructure;

namespace Bank.Host.Tests;

/// <summary>
/// The read model's part of the OpenAPI document: its operations, minOffset and response schemas, and the document's
/// complete list of paths. NEEDS THE READ SIDE: the host runs without its read-model endpoints until the Akka.Streams
/// read side is merged (src/Bank.Host/Hosting/ReadSidePending.cs); run with --filter "needs!=read-side" until then.
/// </summary>
public sealed class ReadModelApiDocumentationTests(DatabaseFixture fixture) : HostScenario(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());

    public static TheoryData<string, string, string[]> ReadModelOperations => new()
    {
        { "/accounts", "get", ["200", "400", "401", "403", "503"] },
        { "/accounts/{id}/transactions", "get", ["200", "400", "401", "403", "404", "503"] },
        { "/accounts/{id}/transfers", "get", ["200", "400", "401", "403", "404", "503"] },
        { "/stats", "get", ["200", "400", "401", "403", "503"] },
        { "/projections", "get", ["200", "401", "403", "503"] },
        { "/projections/{name}", "get", ["200", "401", "403", "404", "503"] },
        { "/projections/{name}/rebuild", "post", ["202", "401", "403", "404", "503"] },
    };

    [Theory]
    [MemberData(nameof(ReadModelOperations))]
    public async Task The_OpenAPI_document_lists_the_read_model_operation_with_its_response_codes(string path, string method, string[] codes)
    {
        var document = await DocumentAsync();
        Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item), $"No path {path}.");
        Assert.True(item.TryGetProperty(method, out var operation), $"No {method} on {path}.");
        var documented = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order().ToArray();
        Assert.Equal(codes.Order().ToArray(), documented);
    }

    [Fact]
    public async Task The_OpenAPI_document_has_exactly_the_API_paths()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Order().ToArray();
        var expected = ApiDocumentationTests.Operations.Select(row => (string)row[0]).Concat(ReadModelOperations.Select(row => (string)row[0]));
        Assert.Equal(expected.Distinct().Order().ToArray(), paths);
    }

    [Theory]
    [InlineData("/accounts")]
    [InlineData("/accounts/{id}/transactions")]
    [InlineData("/accounts/{id}/transfers")]
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
        Assert.Equal("#/components/schemas/AccountTransferListResponse", OkSchema(paths, "/accounts/{id}/transfers", "get"));
        Assert.Equal("#/components/schemas/ProjectionListResponse", OkSchema(paths, "/projections", "get"));
        Assert.Equal("#/components/schemas/ProjectionStatusResponse", OkSchema(paths, "/projections/{name}/rebuild", "post", "202"));

        var schemas = document.GetProperty("components").GetProperty("schemas");
        var stats = schemas.GetProperty("BankStatsResponse").GetProperty("properties");
        Assert.Equal(["accountsClosed", "accountsOpen", "currencies"], stats.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("array", stats.GetProperty("currencies").GetProperty("type").GetString());
        Assert.Equal("#/components/schemas/CurrencyStatsResponse", stats.GetProperty("currencies").GetProperty("items").GetProperty("$ref").GetString());
        var perCurrency = schemas.GetProperty("CurrencyStatsResponse");
        Assert.Equal(["accountsClosed", "accountsOpen", "currency", "moneyInFlight", "totalBalance", "totalDeposited", "totalWithdrawn"],
            perCurrency.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Order(StringComparer.Ordinal));
        foreach (var money in new[] { "totalBalance", "totalDeposited", "totalWithdrawn", "moneyInFlight" })
            Assert.Equal("decimal", perCurrency.GetProperty("properties").GetProperty(money).GetProperty("format").GetString());
        Assert.Equal("decimal", schemas.GetProperty("TransactionResponse").GetProperty("properties").GetProperty("balanceAfter").GetProperty("format").GetString());
        var states = schemas.GetProperty("ProjectionState").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(["stopped", "running", "rebuilding", "failed"], states);
    }

    private static string? OkSchema(JsonElement paths, string path, string method, string status = "200") =>
        paths.GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty(status).GetProperty("content")
            .GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();

    private async Task<JsonElement> DocumentAsync() =>
        await (await Client.GetAsync("/openapi/v1.json")).ExpectAsync(HttpStatusCode.OK);
}
