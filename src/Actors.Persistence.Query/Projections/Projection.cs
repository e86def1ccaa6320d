using System.Globalization;
using System.Threading.Channels;
using Actors.Core.Logging;

namespace Actors.Persistence.Query.Projections;

/// <summary>
/// A named projection: reads its <see cref="ProjectionSource"/> from the offset stored in <c>projection_offset</c>,
/// hands the events in batches to its <see cref="IProjectionHandler"/> and stores the batch's last offset in the
/// same transaction as the handler's changes. A crash at any point therefore neither loses nor doubles an event:
/// either the batch and its offset are committed, or neither is and the batch is read again.
/// </summary>
/// <remarks>
/// <para>A reader task pumps the stream into a bounded channel; the handler side takes whatever is there, up to
/// <see cref="ProjectionSettings.MaxBatchSize"/> (big batches when behind, single events when idle).</para>
/// <para>A failure (of the stream, the handler or the database) rolls the batch back; the projection restarts from
/// the stored offset after an exponential backoff, until stopped.</para>
/// <para>Run one instance of a projection per database: a second one cannot corrupt the read model (the offset update
/// checks the offset the batch started from) but the two keep failing each other.</para>
/// </remarks>
public sealed class Projection : IAsyncDisposable
{
    private readonly ProjectionSource _source;
    private readonly IProjectionHandler _handler;
    private readonly ProjectionDatabase _database;
    private readonly ProjectionOffsetStore _offsets;
    private readonly ILogSink? _log;
    private readonly TimeProvider _time;
    private readonly string _logSource;
    private readonly SemaphoreSlim _control = new(1, 1);
    private readonly OffsetWaiters _waiters = new();
    private readonly Lock _statusGate = new();

    // Start, stop, rebuild: under _control.
    private CancellationTokenSource? _loopStop;
    private Task? _loop;
    private Task _previousLoop = Task.CompletedTask;
    private bool _initialized;
    private bool _disposed;

    // Status: under _statusGate (the offset is also read without it).
    private long _offset;
    private ProjectionState _state = ProjectionState.Stopped;
    private long _highestOffset;
    private DateTimeOffset? _lastEventTimestamp;
    private DateTimeOffset _runningSince;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private int _restarts;
    private int _failuresInARow;
    private long _eventsHandled;
    private RebuildTracker? _rebuild;

    public Projection(
        string name,
        ProjectionSource source,
        IProjectionHandler handler,
        ProjectionDatabase database,
        ProjectionSettings? settings = null,
        ILogSink? log = null,
        TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(database);
        settings ??= new ProjectionSettings();
        settings.Validate();
        Name = name;
        Settings = settings;
        _source = source;
        _handler = handler;
        _database = database;
        _log = log;
        _time = time ?? TimeProvider.System;
        _offsets = new ProjectionOffsetStore(database, name);
        _logSource = "projection/" + name;
        _runningSince = _time.GetUtcNow();
    }

    public string Name { get; }

    public ProjectionSettings Settings { get; }

    public ProjectionDatabase Database => _database;

    /// <summary>The stored offset as this instance knows it: every event up to it is in the read model.</summary>
    public long Offset => Interlocked.Read(ref _offset);

    public ProjectionState State
    {
        get { lock (_statusGate) return _state; }
    }

    /// <summary>The status with the last known highest journal offset (see <see cref="GetStatusAsync"/> for a fresh one).</summary>
    public ProjectionStatus Status
    {
        get
        {
            lock (_statusGate)
            {
                var offset = Offset;
                var highest = Math.Max(_highestOffset, offset);
                var behind = highest - offset;
                var since = _lastEventTimestamp ?? _runningSince;
                var seconds = behind > 0 ? Math.Max(0, (_time.GetUtcNow() - since).TotalSeconds) : 0;
                return new ProjectionStatus(Name, _state, offset, highest, behind, seconds, _lastEventTimestamp, _lastError, _lastErrorAt,
                    _restarts, _eventsHandled, _rebuild?.Snapshot(_time));
            }
        }
    }

    /// <summary>The status, after asking the journal for its highest offset (when that fails, the last known one is used).</summary>
    public async Task<ProjectionStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var highest = await _source.HighestOffsetAsync(cancellationToken).ConfigureAwait(false);
            lock (_statusGate) _highestOffset = highest;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Log(ActorLogLevel.Debug, "Could not read the journal's highest offset for the status; using the last known one.", e);
        }
        return Status;
    }

    /// <summary>Creates the offset table, the projection's row and the read model's tables if missing, and reads the stored offset.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await InitializeCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>Initializes (see <see cref="InitializeAsync"/>) and starts following the source in the background. Does nothing when running.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_loop is not null) return;
            await InitializeCoreAsync(cancellationToken).ConfigureAwait(false);
            StartLoop();
            Log(ActorLogLevel.Info, $"Started at offset {Offset}.");
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>
    /// Stops the loop and waits for it (a batch in flight is committed or rolled back, never half done).
    /// <paramref name="cancellationToken"/> only ends the wait.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopLoopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>
    /// Rebuilds the read model from offset 0 while the host runs: stops the loop, empties the read model and resets
    /// the offset in one transaction, and restarts the loop (when it was running). Returns once the replay has begun;
    /// the progress shows in <see cref="Status"/> (<see cref="ProjectionState.Rebuilding"/>, <see cref="ProjectionStatus.Rebuild"/>)
    /// and in log lines. The rebuild completes when it reaches the journal's highest offset at its start.
    /// </summary>
    public async Task<RebuildProgress> RebuildAsync(CancellationToken cancellationToken = default)
    {
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var wasRunning = _loop is not null;
            try
            {
                await StopLoopAsync(cancellationToken).ConfigureAwait(false);
                await InitializeCoreAsync(cancellationToken).ConfigureAwait(false);
                var target = await _source.HighestOffsetAsync(cancellationToken).ConfigureAwait(false);
                await _database.InTransactionAsync(async (session, ct) =>
                {
                    await _handler.ResetAsync(session, ct).ConfigureAwait(false);
                    await _offsets.ResetAsync(session, _time.GetUtcNow(), ct).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);

                var tracker = new RebuildTracker(_time.GetUtcNow(), target, _time.GetTimestamp());
                RebuildProgress progress;
                lock (_statusGate)
                {
                    Interlocked.Exchange(ref _offset, 0);
                    _lastEventTimestamp = null;
                    _runningSince = tracker.StartedAt;
                    _highestOffset = Math.Max(_highestOffset, target);
                    _rebuild = tracker;
                    if (target == 0) tracker.Complete(tracker.StartedAt, TimeSpan.Zero);
                    _state = !wasRunning ? ProjectionState.Stopped : tracker.Completed ? ProjectionState.Running : ProjectionState.Rebuilding;
                    progress = tracker.Snapshot(_time);
                }
                Log(ActorLogLevel.Info, $"Rebuilding from offset 0 up to offset {target}{(wasRunning ? "" : " (the projection is stopped: the replay starts with it)")}.");
                return progress;
            }
            finally
            {
                // Also after a failed reset: a running projection keeps running (from whatever offset is stored).
                if (wasRunning && _loop is null && !_disposed) StartLoop();
            }
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>
    /// Read-your-writes: completes with true as soon as the stored offset is at least <paramref name="offset"/>, or with
    /// false after <paramref name="timeout"/>. Only this instance's progress counts: the projection must run here.
    /// During a rebuild the offset starts again at 0, so waiting callers wait for the replay to come by.
    /// </summary>
    public async Task<bool> WaitForOffsetAsync(long offset, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        if (Offset >= offset) return true;
        if (timeout == TimeSpan.Zero) return false;
        var reached = _waiters.Add(offset);
        try
        {
            if (Offset >= offset) return true;
            await reached.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            _waiters.Remove(reached);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _control.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            await StopLoopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _control.Release();
        }
    }

    public override string ToString() => $"Projection({Name})";

    // ------------------------------------------------------------------ control (under _control)

    private async Task InitializeCoreAsync(CancellationToken cancellationToken)
    {
        if (_initialized) return;
        await _database.PrepareAsync(cancellationToken).ConfigureAwait(false);
        var stored = await _database.InTransactionAsync(async (session, ct) =>
        {
            await _database.LockSchemaAsync(session, ct).ConfigureAwait(false);
            await _offsets.CreateAsync(session, _time.GetUtcNow(), ct).ConfigureAwait(false);
            await _handler.InitializeAsync(session, ct).ConfigureAwait(false);
            return await _offsets.ReadAsync(session, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _offset, stored);
        _waiters.Reached(stored);
        _initialized = true;
    }

    private void StartLoop()
    {
        var stop = new CancellationTokenSource();
        var previous = _previousLoop;
        _loopStop = stop;
        lock (_statusGate) _state = _rebuild is { Completed: false } ? ProjectionState.Rebuilding : ProjectionState.Running;
        _loop = Task.Run(() => RunAsync(previous, stop.Token), CancellationToken.None);
    }

    private async Task StopLoopAsync(CancellationToken cancellationToken)
    {
        var loop = _loop;
        var stop = _loopStop;
        if (loop is null || stop is null) return;
        _loop = null;
        _loopStop = null;
        // A loop that does not end in time (the caller gave up waiting) is awaited by the next loop before it reads anything.
        _previousLoop = loop;
        lock (_statusGate) _state = ProjectionState.Stopped;
        await stop.CancelAsync().ConfigureAwait(false);
        await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        stop.Dispose();
        Log(ActorLogLevel.Info, $"Stopped at offset {Offset}.");
    }

    // ------------------------------------------------------------------ the loop

    /// <summary>Runs the stream until stopped; after a failure waits a backoff and runs it again from the stored offset. Never throws.</summary>
    private async Task RunAsync(Task previous, CancellationToken cancellationToken)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RunStreamAsync(cancellationToken).ConfigureAwait(false);
                // The source ended by itself (a finite stream): look again later.
                await Task.Delay(Settings.ResubscribeInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                int failures;
                lock (_statusGate)
                {
                    if (cancellationToken.IsCancellationRequested) break;
                    failures = ++_failuresInARow;
                    _state = ProjectionState.Failed;
                    _lastError = $"{e.GetType().Name}: {e.Message}";
                    _lastErrorAt = _time.GetUtcNow();
                }
                var delay = Settings.BackoffFor(failures, Random.Shared.NextDouble());
                Log(failures >= 5 ? ActorLogLevel.Error : ActorLogLevel.Warning,
                    $"Failed at offset {Offset} ({failures} in a row); the batch was rolled back. Restarting from the stored offset in {delay.TotalSeconds:0.###} s.", e);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                lock (_statusGate) _restarts++;
            }
        }
    }

    private async Task RunStreamAsync(CancellationToken cancellationToken)
    {
        var offset = await _database.ReadAsync((session, ct) => _offsets.ReadAsync(session, ct), cancellationToken).ConfigureAwait(false);
        lock (_statusGate)
        {
            Interlocked.Exchange(ref _offset, offset);
            if (cancellationToken.IsCancellationRequested) return;
            _state = _rebuild is { Completed: false } ? ProjectionState.Rebuilding : ProjectionState.Running;
            _runningSince = _time.GetUtcNow();
        }
        _waiters.Reached(offset);

        var channel = Channel.CreateBounded<EventEnvelope>(new BoundedChannelOptions(Settings.BufferSize)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var pumpStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = Task.Run(() => PumpAsync(offset, channel.Writer, pumpStop.Token), CancellationToken.None);
        try
        {
            var batch = new List<EventEnvelope>(Math.Min(Settings.MaxBatchSize, 1024));
            // Throws the stream's exception once the events before it are handled.
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                batch.Clear();
                var last = offset;
                while (batch.Count < Settings.MaxBatchSize && channel.Reader.TryRead(out var envelope))
                {
                    if (envelope.Offset <= last)
                    {
                        Log(ActorLogLevel.Warning, $"Skipped the event at offset {envelope.Offset} ({envelope.PersistenceId} #{envelope.SequenceNr}): it is not after offset {last}.");
                        continue;
                    }
                    batch.Add(envelope);
                    last = envelope.Offset;
                }
                if (batch.Count == 0) continue;

                await CommitAsync(offset, batch, cancellationToken).ConfigureAwait(false);
                offset = last;
                if (channel.Reader.Count == 0) await CompleteRebuildWhenNothingIsLeftAsync(offset, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await pumpStop.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Reads the stream into the channel; completes the channel with the stream's exception, if any. Never throws.</summary>
    private async Task PumpAsync(long afterOffset, ChannelWriter<EventEnvelope> writer, CancellationToken cancellationToken)
    {
        Exception? error = null;
        try
        {
            await foreach (var envelope in _source.Events(afterOffset, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
                await writer.WriteAsync(envelope, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            writer.TryComplete(error);
        }
    }

    private async Task CommitAsync(long expected, List<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        var newOffset = batch[^1].Offset;
        await _database.InTransactionAsync(async (session, ct) =>
        {
            await _handler.HandleAsync(session, batch, ct).ConfigureAwait(false);
            await _offsets.AdvanceAsync(session, expected, newOffset, _time.GetUtcNow(), ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        string? progressLine = null;
        lock (_statusGate)
        {
            Interlocked.Exchange(ref _offset, newOffset);
            _lastEventTimestamp = batch[^1].Timestamp;
            _eventsHandled += batch.Count;
            _failuresInARow = 0;
            if (newOffset > _highestOffset) _highestOffset = newOffset;
            if (_rebuild is { Completed: false } rebuild)
            {
                rebuild.EventsDone += batch.Count;
                rebuild.Offset = newOffset;
                if (newOffset >= rebuild.TargetOffset) progressLine = CompleteRebuild(rebuild);
                else if (_time.GetElapsedTime(rebuild.LastLogTimestamp) >= Settings.ProgressLogInterval)
                {
                    rebuild.LastLogTimestamp = _time.GetTimestamp();
                    var p = rebuild.Snapshot(_time);
                    progressLine = string.Create(CultureInfo.InvariantCulture,
                        $"Rebuilding: {p.EventsDone} events done, offset {p.Offset} of {p.TargetOffset} ({p.PercentDone:0.0}%), {p.EventsPerSecond:0} events/s.");
                }
            }
        }
        _waiters.Reached(newOffset);
        if (progressLine is not null) Log(ActorLogLevel.Info, progressLine);
    }

    /// <summary>
    /// A rebuild of a filtered stream may never see its target offset (the journal's last events may not be in the
    /// stream). When the handler is idle, ask the source whether anything of the stream is left up to the target.
    /// </summary>
    private async Task CompleteRebuildWhenNothingIsLeftAsync(long offset, CancellationToken cancellationToken)
    {
        RebuildTracker? rebuild;
        lock (_statusGate) rebuild = _rebuild is { Completed: false } r ? r : null;
        if (rebuild is null) return;
        var (known, next) = await _source.NextOffsetAsync(offset, cancellationToken).ConfigureAwait(false);
        if (!known || (next is { } n && n <= rebuild.TargetOffset)) return;
        string? line = null;
        lock (_statusGate)
        {
            if (ReferenceEquals(_rebuild, rebuild) && !rebuild.Completed) line = CompleteRebuild(rebuild);
        }
        if (line is not null) Log(ActorLogLevel.Info, line);
    }

    private string CompleteRebuild(RebuildTracker rebuild)
    {
        rebuild.Complete(_time.GetUtcNow(), _time.GetElapsedTime(rebuild.StartTimestamp));
        if (_state == ProjectionState.Rebuilding) _state = ProjectionState.Running;
        var p = rebuild.Snapshot(_time);
        return string.Create(CultureInfo.InvariantCulture,
            $"Rebuild completed: {p.EventsDone} events up to offset {p.Offset} in {(p.CompletedAt!.Value - p.StartedAt).TotalSeconds:0.0} s ({p.EventsPerSecond:0} events/s).");
    }

    private void Log(ActorLogLevel level, string message, Exception? exception = null)
    {
        if (_log is null || !_log.IsEnabled(level)) return;
        _log.Log(level, _logSource, message, exception);
    }

    private sealed class RebuildTracker(DateTimeOffset startedAt, long targetOffset, long startTimestamp)
    {
        private TimeSpan? _duration;

        public DateTimeOffset StartedAt { get; } = startedAt;
        public long TargetOffset { get; } = targetOffset;
        public long StartTimestamp { get; } = startTimestamp;
        public long LastLogTimestamp { get; set; } = startTimestamp;
        public long EventsDone { get; set; }
        public long Offset { get; set; }
        public DateTimeOffset? CompletedAt { get; private set; }
        public bool Completed => CompletedAt is not null;

        public void Complete(DateTimeOffset at, TimeSpan duration)
        {
            CompletedAt = at;
            _duration = duration;
        }

        public RebuildProgress Snapshot(TimeProvider time)
        {
            var elapsed = _duration ?? time.GetElapsedTime(StartTimestamp);
            var rate = elapsed.TotalSeconds > 0 ? EventsDone / elapsed.TotalSeconds : 0;
            return new RebuildProgress(StartedAt, TargetOffset, EventsDone, Offset, rate, CompletedAt);
        }
    }
}
