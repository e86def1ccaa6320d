using System.Threading.Channels;

namespace Actors.Journal.Batching;

/// <summary>
/// Group commit. Callers from many actors queue their (already serialized) atomic writes; each lane's loop takes
/// everything that is queued, up to MaxBatchSize events, and writes it in one transaction: while one transaction
/// commits, the next batch gathers. There is no timer and no linger: a lone writer gets its own transaction at once,
/// and under load an actor persisting in a tight loop shares every fsync with all the others.
/// <para>
/// Lanes: with a parallelism above 1 (PostgreSQL), each persistence id always goes to the same lane, so the writes of
/// one actor stay in order and one actor's failed batch cannot be overtaken by its next write in another lane.
/// All the writes of one <see cref="WriteAsync"/> call for one lane go into the same batch (a call is never split
/// across transactions, unless it spans lanes); a call bigger than MaxBatchSize forms a batch of its own.
/// </para>
/// <para>
/// Backpressure: at most MaxBufferedWrites atomic writes may be pending (queued or being written). A call that
/// does not fit fails at once with <see cref="JournalBufferFullException"/> instead of waiting or growing memory.
/// A single call larger than the whole buffer is still taken when nothing else is pending.
/// </para>
/// </summary>
internal sealed class WriteBatcher : IAsyncDisposable
{
    private readonly IBatchWriter _writer;
    private readonly Channel<WriteRequest>[] _lanes;
    private readonly Task[] _loops;
    private readonly int _maxBatchSize;
    private readonly int _maxBufferedWrites;
    private readonly TimeSpan _shutdownTimeout;
    private readonly Action<long, IReadOnlyList<PendingWrite>> _onCommitted;
    private readonly CancellationTokenSource _stop = new();
    private int _pending;
    private long _transactions;
    private long _batches;
    private volatile bool _closed;
    private Task? _disposal;

    public WriteBatcher(IBatchWriter writer, int lanes, int maxBatchSize, int maxBufferedWrites, TimeSpan shutdownTimeout, Action<long, IReadOnlyList<PendingWrite>> onCommitted)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBufferedWrites, 1);
        _writer = writer;
        _maxBatchSize = maxBatchSize;
        _maxBufferedWrites = maxBufferedWrites;
        _shutdownTimeout = shutdownTimeout;
        _onCommitted = onCommitted;
        _lanes = new Channel<WriteRequest>[lanes];
        _loops = new Task[lanes];
        for (var i = 0; i < lanes; i++)
        {
            // Bounded as a second line of defence; the pending counter rejects long before the channel is full.
            var channel = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(maxBufferedWrites)
            {
                SingleReader = true,
                SingleWriter = false,
                FullMode = BoundedChannelFullMode.Wait,
            });
            _lanes[i] = channel;
            _loops[i] = Task.Run(() => RunAsync(channel.Reader));
        }
    }

    /// <summary>Transactions committed so far (a batch is one, unless it had to be retried write by write).</summary>
    public long TransactionsCommitted => Interlocked.Read(ref _transactions);

    /// <summary>Batches taken from the queue and written (committed or not).</summary>
    public long BatchesWritten => Interlocked.Read(ref _batches);

    /// <summary>Atomic writes accepted and not answered yet.</summary>
    public int PendingWrites => Volatile.Read(ref _pending);

    /// <summary>
    /// Queues the writes and waits for their results (set on each <see cref="PendingWrite"/>). Never blocks on a
    /// full buffer. Cancelling stops the wait; a write already being written may still be stored.
    /// </summary>
    public Task WriteAsync(IReadOnlyList<PendingWrite> writes, CancellationToken cancellationToken)
    {
        if (writes.Count == 0) return Task.CompletedTask;
        if (_closed)
        {
            Fail(writes, Stopped());
            return Task.CompletedTask;
        }
        if (!TryReserve(writes.Count))
        {
            Fail(writes, new JournalBufferFullException(_maxBufferedWrites));
            return Task.CompletedTask;
        }

        if (_lanes.Length == 1) return Enqueue(0, [.. writes], cancellationToken).WaitAsync(cancellationToken);

        var byLane = new Dictionary<int, List<PendingWrite>>();
        foreach (var write in writes)
        {
            var lane = LaneOf(write.PersistenceId);
            if (!byLane.TryGetValue(lane, out var list)) byLane[lane] = list = [];
            list.Add(write);
        }
        var done = new List<Task>(byLane.Count);
        foreach (var (lane, list) in byLane) done.Add(Enqueue(lane, [.. list], cancellationToken));
        return Task.WhenAll(done).WaitAsync(cancellationToken);
    }

    private int LaneOf(string persistenceId) =>
        (int)((uint)StringComparer.Ordinal.GetHashCode(persistenceId) % (uint)_lanes.Length);

    private bool TryReserve(int count)
    {
        while (true)
        {
            var pending = Volatile.Read(ref _pending);
            if (pending > 0 && pending + count > _maxBufferedWrites) return false;
            if (Interlocked.CompareExchange(ref _pending, pending + count, pending) == pending) return true;
        }
    }

    private Task Enqueue(int lane, PendingWrite[] writes, CancellationToken cancellationToken)
    {
        var request = new WriteRequest(writes, cancellationToken);
        if (!_lanes[lane].Writer.TryWrite(request)) Complete(request, Stopped());
        return request.Done;
    }

    private async Task RunAsync(ChannelReader<WriteRequest> reader)
    {
        var batch = new List<WriteRequest>();
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                Collect(reader, batch);
                if (batch.Count > 0) await ExecuteAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var request in batch) Complete(request, Stopped());
            while (reader.TryRead(out var request)) Complete(request, Stopped());
        }
    }

    private void Collect(ChannelReader<WriteRequest> reader, List<WriteRequest> batch)
    {
        var events = 0;
        while (reader.TryPeek(out var next))
        {
            if (batch.Count > 0 && events + next.EventCount > _maxBatchSize) break;
            reader.TryRead(out _);
            if (next.CancellationToken.IsCancellationRequested)
            {
                Complete(next, new OperationCanceledException("The write was cancelled before it was attempted.", next.CancellationToken));
                continue;
            }
            batch.Add(next);
            events += next.EventCount;
            if (events >= _maxBatchSize) break;
        }
    }

    private async Task ExecuteAsync(List<WriteRequest> batch)
    {
        var writes = new List<PendingWrite>();
        foreach (var request in batch) writes.AddRange(request.Writes);

        var committed = 0;
        try
        {
            committed = await _writer.WriteAsync(writes, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var cause = e is OperationCanceledException && _stop.IsCancellationRequested
                ? new OperationCanceledException("The journal was stopped while the write was in flight; its outcome is unknown.", e)
                : e;
            foreach (var write in writes) write.Outcome ??= new WriteResult.Failed(cause);
        }

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _transactions, committed);
        // Listeners first: once a caller has its result, live queries have already been woken for it.
        if (committed > 0)
        {
            var highest = 0L;
            foreach (var write in writes)
                if (write.Outcome is WriteResult.Stored stored && stored.Ordering > highest) highest = stored.Ordering;
            RaiseCommitted(highest, writes);
        }
        foreach (var request in batch)
        {
            foreach (var write in request.Writes)
                write.Outcome ??= new WriteResult.Failed(new InvalidOperationException("The batch writer left this write undecided."));
            Complete(request, null);
        }
    }

    private void RaiseCommitted(long highestOrdering, IReadOnlyList<PendingWrite> writes)
    {
        try
        {
            _onCommitted(highestOrdering, writes);
        }
        catch
        {
            // A listener's failure must not stop the write loop.
        }
    }

    private void Complete(WriteRequest request, Exception? failure)
    {
        if (failure is not null) Fail(request.Writes, failure);
        if (!request.TryClaimCompletion()) return;
        // Free the buffer slots before waking the caller, so its next write sees them.
        Interlocked.Add(ref _pending, -request.Writes.Length);
        request.Complete();
    }

    private static void Fail(IEnumerable<PendingWrite> writes, Exception cause)
    {
        foreach (var write in writes) write.Outcome ??= new WriteResult.Failed(cause);
    }

    private static ObjectDisposedException Stopped() =>
        new("journal", "The journal is stopped; the write was not attempted.");

    /// <summary>
    /// Stops taking writes, lets the queued ones be written for up to the shutdown timeout, then cancels what is
    /// in flight and fails whatever is left. Always ends.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        lock (_lanes) _disposal ??= DisposeCoreAsync();
        return new ValueTask(_disposal);
    }

    private async Task DisposeCoreAsync()
    {
        _closed = true;
        foreach (var lane in _lanes) lane.Writer.TryComplete();
        var loops = Task.WhenAll(_loops);
        try
        {
            await loops.WaitAsync(_shutdownTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await loops.ConfigureAwait(false);
        }
        await _writer.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class WriteRequest(PendingWrite[] writes, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _claimed;

        public PendingWrite[] Writes { get; } = writes;
        public int EventCount { get; } = writes.Sum(w => w.Events.Length);
        public CancellationToken CancellationToken { get; } = cancellationToken;
        public Task Done => _done.Task;

        public bool TryClaimCompletion() => Interlocked.Exchange(ref _claimed, 1) == 0;

        public void Complete() => _done.TrySetResult();
    }
}
