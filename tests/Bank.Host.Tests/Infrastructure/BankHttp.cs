using System.Net;
using System.Text;
using System.Text.Json;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>Small helpers to speak raw JSON to the API and check its answers.</summary>
public static class BankHttp
{
    public const string ProblemTypePrefix = "https://bank.example/problems/";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string json, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request, cancellationToken);
    }

    public static Task<HttpResponseMessage> PostEmptyAsync(this HttpClient client, string url, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
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

    /// <summary>Asserts the status, then returns the body as the server wrote it.</summary>
    public static async Task<string> ExpectTextAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {status} but got {(int)response.StatusCode} {response.StatusCode}: {text}");
        return text;
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
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("traceId").GetString()));
        if (field is not null)
        {
            Assert.Equal(field, problem.GetProperty("field").GetString());
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"errors has no '{field}': {problem}");
            Assert.NotEqual(0, messages.GetArrayLength());
        }
        return problem;
    }

    public static string Detail(this JsonElement problem) => problem.GetProperty("detail").GetString()!;

    public static decimal Balance(this JsonElement account) => account.GetProperty("balance").GetDecimal();

    public static long Version(this JsonElement account) => account.GetProperty("version").GetInt64();

    public static long Offset(this JsonElement account) => account.GetProperty("offset").GetInt64();

    public static string Status(this JsonElement account) => account.GetProperty("status").GetString()!;

    public static bool WasReplayed(this HttpResponseMessage response) =>
        response.Headers.TryGetValues(ReplayedHeader, out var values) && values.Single() == "true";

    public static string NewAccountId() => "acc-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Opens an account (201 asserted) and returns its id.</summary>
    public static async Task<string> OpenAsync(this HttpClient client, decimal initialDeposit = 0m, string owner = "Owner")
    {
        var id = NewAccountId();
        var json = JsonSerializer.Serialize(new { accountId = id, owner, initialDeposit });
        await (await client.PostJsonAsync("/accounts", json)).ExpectAsync(HttpStatusCode.Created);
        return id;
    }

    /// <summary>
    /// Opens an account (201 asserted) as a client of a cluster must: with an Idempotency-Key, sent again after a 503 (an
    /// account's first shard allocation on a busy machine can outlast the ask timeout; <see cref="SettledAsync"/>).
    /// Returns its id.
    /// </summary>
    public static async Task<string> OpenSettledAsync(this HttpClient client, decimal initialDeposit = 0m, string owner = "Owner")
    {
        var id = NewAccountId();
        var json = JsonSerializer.Serialize(new { accountId = id, owner, initialDeposit });
        await ExpectSettledAsync(() => client.PostJsonAsync("/accounts", json, "open-" + id), HttpStatusCode.Created);
        return id;
    }

    /// <summary>
    /// Sends <paramref name="request"/> again, after its Retry-After, while it is answered 503 with Retry-After (an ask that
    /// timed out while a shard was allocated, moved or recovered; a read model behind ?minOffset=), at most
    /// <paramref name="attempts"/> times; returns the last answer. Only for requests that are safe to repeat: reads, and
    /// writes with an Idempotency-Key.
    /// </summary>
    public static async Task<HttpResponseMessage> SettledAsync(Func<Task<HttpResponseMessage>> request, int attempts = 5)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await request();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || response.Headers.RetryAfter?.Delta is not { } retryAfter || attempt == attempts)
                return response;
            response.Dispose();
            await Task.Delay(retryAfter);
        }
    }

    /// <summary><see cref="SettledAsync"/>, then asserts the last answer's status and returns its body.</summary>
    public static async Task<JsonElement> ExpectSettledAsync(Func<Task<HttpResponseMessage>> request, HttpStatusCode status)
    {
        using var response = await SettledAsync(request);
        return await response.ExpectAsync(status);
    }

    public static async Task<JsonElement> GetAccountAsync(this HttpClient client, string id) =>
        await (await client.GetAsync($"/accounts/{id}")).ExpectAsync(HttpStatusCode.OK);

    public static async Task<List<JsonElement>> EventsAsync(this HttpClient client, string id)
    {
        var page = await (await client.GetAsync($"/accounts/{id}/events?limit=1000")).ExpectAsync(HttpStatusCode.OK);
        return [.. page.GetProperty("events").EnumerateArray()];
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds, failing after <paramref name="timeout"/> with
    /// <paramref name="what"/>. For conditions that have no event to wait for (a lock that shows, a journal that recovers).
    /// </summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Not within {timeout.TotalSeconds:0.#} s: {what}");
            await Task.Delay(50);
        }
    }
}
