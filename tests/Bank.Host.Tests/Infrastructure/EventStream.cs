using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>One server-sent event as a client receives it.</summary>
public sealed record ReceivedEvent(long Id, string Type, JsonElement Data);

/// <summary>A connection to GET /events/stream, read with the BCL's SSE parser.</summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<SseItem<string>> _items;
    private Task<bool>? _pending;

    private EventStream(HttpResponseMessage response, IAsyncEnumerator<SseItem<string>> items)
    {
        _response = response;
        _items = items;
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Connects, resuming after <paramref name="lastEventId"/> when given (the Last-Event-ID header), and waits for the 200.</summary>
    public static async Task<EventStream> ConnectAsync(HttpClient client, string? lastEventId = null, string query = "", CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/events/stream" + query);
        if (lastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return new EventStream(response, SseParser.Create(body).EnumerateAsync(CancellationToken.None).GetAsyncEnumerator());
    }

    /// <summary>The next event; null when the server ended the stream. Fails after <paramref name="timeout"/>.</summary>
    public async Task<ReceivedEvent?> NextAsync(TimeSpan timeout)
    {
        if (!await _items.MoveNextAsync().AsTask().WaitAsync(timeout)) return null;
        var item = _items.Current;
        Assert.NotNull(item.EventId);
        using var data = JsonDocument.Parse(item.Data);
        return new ReceivedEvent(long.Parse(item.EventId, CultureInfo.InvariantCulture), item.EventType, data.RootElement.Clone());
    }

    /// <summary>Exactly the next <paramref name="count"/> events (each within 10 s).</summary>
    public async Task<List<ReceivedEvent>> TakeAsync(int count)
    {
        var events = new List<ReceivedEvent>(count);
        for (var i = 0; i < count; i++)
            events.Add(await NextAsync(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException($"The stream ended after {i} of {count} events."));
        return events;
    }

    /// <summary>True when no event arrives within <paramref name="quiet"/>. The stream is unusable afterwards (a read is left pending).</summary>
    public async Task<bool> StaysQuietAsync(TimeSpan quiet)
    {
        _pending = _items.MoveNextAsync().AsTask();
        return await Task.WhenAny(_pending, Task.Delay(quiet)) != _pending;
    }

    /// <summary>Disconnects (the server sees the request aborted).</summary>
    public async ValueTask DisposeAsync()
    {
        _response.Dispose();
        if (_pending is not null) await ((Task)_pending).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await _items.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            // The body was closed under the parser (or a read of it is still pending).
        }
    }
}
