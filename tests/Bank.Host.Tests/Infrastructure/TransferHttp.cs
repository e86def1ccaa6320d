using System.Net;
using System.Text.Json;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>Helpers to start transfers over HTTP and wait for their end.</summary>
public static class TransferHttp
{
    public static string Body(string from, string to, decimal amount, Guid? transferId = null) =>
        JsonSerializer.Serialize(new { transferId, fromAccountId = from, toAccountId = to, amount });

    /// <summary>Starts a transfer (202 asserted, with its Location) and returns its id.</summary>
    public static async Task<Guid> TransferAsync(this HttpClient client, string from, string to, decimal amount, Guid? transferId = null)
    {
        var response = await client.PostJsonAsync("/transfers", Body(from, to, amount, transferId));
        var body = await response.ExpectAsync(HttpStatusCode.Accepted);
        var id = body.GetProperty("transferId").GetGuid();
        Assert.Equal($"/transfers/{id:D}", response.Headers.Location?.OriginalString);
        return id;
    }

    public static async Task<JsonElement> GetTransferAsync(this HttpClient client, Guid id) =>
        await (await client.GetAsync($"/transfers/{id:D}")).ExpectAsync(HttpStatusCode.OK);

    /// <summary>
    /// Starts a transfer as a client must: a 503 (the outcome is unknown) is retried with the same transfer id, which
    /// the transfer answers with 202 whether the first attempt took effect or not.
    /// </summary>
    public static async Task RequestUntilAcceptedAsync(this HttpClient client, string from, string to, decimal amount, Guid transferId, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.PostJsonAsync("/transfers", Body(from, to, amount, transferId), cancellationToken: cancellationToken);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 10)
            {
                await response.ExpectAsync(HttpStatusCode.Accepted);
                return;
            }
            await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");
        }
    }

    /// <summary>Polls the transfer until it is no longer pending (a 503 is a moment of overload: asked again); returns it.</summary>
    public static async Task<JsonElement> EndedTransferAsync(this HttpClient client, Guid id, TimeSpan? timeout = null)
    {
        JsonElement transfer = default;
        await BankHttp.EventuallyAsync(async () =>
        {
            using var response = await client.GetAsync($"/transfers/{id:D}");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable) return false;
            transfer = await response.ExpectAsync(HttpStatusCode.OK);
            return transfer.GetProperty("status").GetString() != "pending";
        }, timeout ?? TimeSpan.FromSeconds(20), $"transfer {id} ends");
        return transfer;
    }

    public static async Task<List<JsonElement>> TransactionsAsync(this HttpClient client, string accountId)
    {
        var page = await (await client.GetAsync($"/accounts/{accountId}/transactions?limit=1000")).ExpectAsync(HttpStatusCode.OK);
        return [.. page.GetProperty("transactions").EnumerateArray()];
    }

    /// <summary>
    /// The account's history as projected so far: an account the projection has not reached yet answers 404, which
    /// counts as no rows.
    /// </summary>
    public static async Task<List<JsonElement>> TransactionsSoFarAsync(this HttpClient client, string accountId)
    {
        using var response = await client.GetAsync($"/accounts/{accountId}/transactions?limit=1000");
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        var page = await response.ExpectAsync(HttpStatusCode.OK);
        return [.. page.GetProperty("transactions").EnumerateArray()];
    }

    /// <summary>Waits until the read model holds <paramref name="count"/> rows of the account's history.</summary>
    public static Task WaitForTransactionsAsync(this HttpClient client, string accountId, int count, TimeSpan timeout, string what) =>
        BankHttp.EventuallyAsync(async () => (await client.TransactionsSoFarAsync(accountId)).Count == count, timeout, what);

    /// <summary>Every row of the account's history from the read model, page after page.</summary>
    public static async Task<List<JsonElement>> AllTransactionsAsync(this HttpClient client, string accountId)
    {
        List<JsonElement> rows = [];
        int? offset = 0;
        while (offset is { } next)
        {
            var page = await (await client.GetAsync($"/accounts/{accountId}/transactions?limit=1000&offset={next}")).ExpectAsync(HttpStatusCode.OK);
            rows.AddRange(page.GetProperty("transactions").EnumerateArray());
            offset = page.GetProperty("nextOffset").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextOffset").GetInt32();
        }
        return rows;
    }

    public static async Task<List<JsonElement>> AccountTransfersAsync(this HttpClient client, string accountId)
    {
        var page = await (await client.GetAsync($"/accounts/{accountId}/transfers?limit=1000")).ExpectAsync(HttpStatusCode.OK);
        return [.. page.GetProperty("transfers").EnumerateArray()];
    }

    /// <summary>The stats of one currency from /stats.</summary>
    public static async Task<JsonElement> CurrencyStatsAsync(this HttpClient client, string currency = "EUR")
    {
        var stats = await (await client.GetAsync("/stats")).ExpectAsync(HttpStatusCode.OK);
        return stats.GetProperty("currencies").EnumerateArray().Single(c => c.GetProperty("currency").GetString() == currency);
    }
}
