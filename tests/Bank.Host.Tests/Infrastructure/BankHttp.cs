using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>Small helpers to speak raw JSON to the API and check its answers.</summary>
public static class BankHttp
{
    public const string ProblemTypePrefix = "https://bank.example/problems/";

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string json, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostEmptyAsync(this HttpClient client, string url, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts the status, then returns the body.</summary>
    public static async Task<JsonElement> ExpectAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {status} but got {(int)response.StatusCode} {response.StatusCode}: {text}");
        if (text.Length == 0) return default;
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem of the given status and code (and field), as application/problem+json; returns it.</summary>
    public static async Task<JsonElement> ExpectProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code, string? field = null)
    {
        var problem = await response.ExpectAsync(status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ProblemTypePrefix + code, problem.GetProperty("type").GetString());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        if (field is not null)
        {
            Assert.Equal(field, problem.GetProperty("field").GetString());
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"errors has no '{field}': {problem}");
            Assert.NotEqual(0, messages.GetArrayLength());
        }
        return problem;
    }

    public static decimal Balance(this JsonElement account) => account.GetProperty("balance").GetDecimal();

    public static long Version(this JsonElement account) => account.GetProperty("version").GetInt64();

    public static string Status(this JsonElement account) => account.GetProperty("status").GetString()!;

    public static string NewAccountId() => "acc-" + Guid.NewGuid().ToString("N")[..12];

    public static MediaTypeHeaderValue Json { get; } = new("application/json");
}
