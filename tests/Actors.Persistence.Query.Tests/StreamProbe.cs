using System.Threading.Channels;

namespace Actors.Persistence.Query.Tests;

/// <summary>Runs a (live) query in the background and lets a test expect what it delivers, with timeouts.</summary>
internal sealed class StreamProbe<T> : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    private readonly Channel<T> _items = Channel.CreateUnbounded<T>();
    private readonly CancellationTokenSource _cancel = new();
    private readonly Task<Exception?> _pump;

    public StreamProbe(Func<CancellationToken, IAsyncEnumerable<T>> query)
    {
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in query(_cancel.Token).WithCancellation(_cancel.Token))
                    await _items.Writer.WriteAsync(item);
                _items.Writer.TryComplete();
                return null;
            }
            catch (Exception e)
            {
                _items.Writer.TryComplete(e);
                return e;
            }
        });
    }

    /// <summary>Ends when the query ended, normally or not; never throws.</summary>
    public Task Ended => _pump;

    /// <summary>
    /// How the query ended: null when it completed normally. Items delivered but not taken do not matter (the
    /// channel's own Completion would wait for them to be read).
    /// </summary>
    public Task<Exception?> EndedWithAsync(TimeSpan timeout) => _pump.WaitAsync(timeout);

    public async Task<T> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _items.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Nothing arrived within {(timeout ?? DefaultTimeout).TotalSeconds:0.0} s.");
        }
    }

    public async Task<List<T>> NextAsync(int count, TimeSpan? timeout = null)
    {
        var items = new List<T>(count);
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            while (items.Count < count) items.Add(await _items.Reader.ReadAsync(cts.Token));
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Only {items.Count} of {count} arrived within {(timeout ?? DefaultTimeout).TotalSeconds:0.0} s: {string.Join(", ", items)}");
        }
        return items;
    }

    public async Task ExpectNothingAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        try
        {
            var item = await _items.Reader.ReadAsync(cts.Token);
            Assert.Fail($"Expected nothing, got {item}.");
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }
    }

    public Task CancelAsync() => _cancel.CancelAsync();

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync();
        await _pump.WaitAsync(TimeSpan.FromSeconds(10));
        _cancel.Dispose();
    }
}

internal static class AsyncEnumerables
{
    /// <summary>Collects a (current) query, failing instead of hanging when it does not end in time.</summary>
    public static async Task<List<T>> CollectAsync<T>(this IAsyncEnumerable<T> source, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? StreamProbe<T>.DefaultTimeout);
        var items = new List<T>();
        try
        {
            await foreach (var item in source.WithCancellation(cts.Token)) items.Add(item);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"The query did not end within {(timeout ?? StreamProbe<T>.DefaultTimeout).TotalSeconds:0.0} s; got {items.Count} items.");
        }
        return items;
    }
}
