using System.Globalization;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;

namespace Bank.ReadModels.Projections;

/// <summary>
/// A named projection on Akka.Streams: reads its <see cref="ProjectionSource"/> (a live EventsByTag) from the offset
/// stored in <c>projection_offset</c>, hands the events in batches to its <see cref="IProjectionHandler"/> and stores the
/// batch's last offset in the same transaction as the handler's changes: a crash at any point neither loses nor doubles
/// an event. Events the read journal skipped (see Projection.Batches.cs and Projection.Gaps.cs) are found in the journal's
/// tables and fetched by persistence id.
/// </summary>
/// <remarks>
/// <para>The stream: <c>EventsByTag</c> → <c>Batch</c> (fills while the previous batch is written) merged with a gap-check
/// tick → one transaction at a time (<c>SelectAsync(1)</c>), inside <c>RestartSource.WithBackoff</c> (a failure rolls the
/// batch back and the stream restarts from the stored offset after a backoff) behind a kill switch (stop).</para>
/// <para>Run one instance of a projection per database: a second one cannot corrupt the read model (the offset update
/// checks the offset the batch started from) but the two keep failing each other.</para>
/// </remarks>
public sealed partial class Projection : IAsyncDisposable
{
    private readonly ProjectionSource _source;
    private readonly IProjectionHandler _handler;
    private readonly ProjectionDatabase _database;
    private readonly ProjectionOffsetStore _offsets;
    private readonly JournalScanner _journal;
    private readonly IMaterializer _materializer;
    private readonly ILoggingAdapter _log;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _control = new(1, 1);
    private readonly OffsetWaiters _waiters = new();
    private readonly Lock _statusGate = new();

    // Start, stop, rebuild: under _control.
    private RunningStream? _running;
    private bool _initialized;
    private bool _disposed;

    // The transaction in flight (a batch or a gap check), if any: a new run waits for it before reading the offset.
    private Task _inFlight = Task.CompletedTask;

    // Status: under _statusGate (the offset and the gaps are also read without it).
    private long _offset;
    private GapSet _gaps = GapSet.Empty;
    private ProjectionState _state = ProjectionState.Stopped;
    private long _highestOffset;
    private DateTimeOffset? _lastEventTimestamp;
    private DateTimeOffset _runningSince;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private int _restarts;
    private int _failuresInARow;
    private bool _lastRunFailed;
    private long _eventsHandled;
    private RebuildTracker? _rebuild;

    /// <param name="system">Materializes the stream (and logs, when <paramref name="log"/> is null).</param>
    public Projection(
        string name,
        ActorSystem system,
        ProjectionSource source,
        IProjectionHandler handler,
        ProjectionDatabase database,
        ProjectionSettings? settings = null,
        ILoggingAdapter? log = null,
        TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(system);
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
        // The system's materializer: the projection's streams end by their kill switch. (Shutting down a materializer of
        // our own broke every later materialization on the system in Akka.Streams 1.5.75, the system's own included.)
        _materializer = system.Materializer();
        _log = log ?? Logging.GetLogger(system, "projection/" + name);
        _time = time ?? TimeProvider.System;
        _offsets = new ProjectionOffsetStore(database, name);
        _journal = new JournalScanner(database);
        _runningSince = _time.GetUtcNow();
    }

    public string Name { get; }

    public ProjectionSettings Settings { get; }

    public ProjectionDatabase Database => _database;

    /// <summary>The tag the projection follows.</summary>
    public string Tag => _source.Tag;

    /// <summary>
    /// The stored offset as this instance knows it: every event up to it is in the read model, except those in
    /// <see cref="PendingGaps"/> (skipped by the stream, still awaited).
    /// </summary>
    public long Offset => Interlocked.Read(ref _offset);

    /// <summary>Journal orderings at or below <see cref="Offset"/> that the projection still waits for.</summary>
    public GapSet PendingGaps => Volatile.Read(ref _gaps);

    /// <summary>True while this instance follows the journal (on a cluster, only the node that runs the projection).</summary>
    public bool IsRunning => Volatile.Read(ref _running) is not null;

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
                    _restarts, _eventsHandled, _rebuild?.Snapshot(_time)) { PendingGaps = PendingGaps.Orderings };
            }
        }
    }

    /// <summary>The status, after asking the journal for its highest offset (when that fails, the last known one is used).</summary>
    public async Task<ProjectionStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var highest = await HighestJournalOffsetAsync(cancellationToken).ConfigureAwait(false);
            lock (_statusGate) _highestOffset = Math.Max(_highestOffset, highest);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Log(LogLevel.DebugLevel, "Could not read the journal's highest offset for the status; using the last known one.", e);
        }
        return Status;
    }

    /// <summary>Creates the offset tables, the projection's row and the read model's tables if missing, and reads the stored offset.</summary>
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
            if (_running is not null) return;
            await InitializeCoreAsync(cancellationToken).ConfigureAwait(false);
            StartStream();
            Log(LogLevel.InfoLevel, $"Started at offset {Offset}.");
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>
    /// Stops the stream and waits for it: a transaction in flight is cancelled and rolled back (never half done).
    /// <paramref name="cancellationToken"/> only ends the wait.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>
    /// Rebuilds the read model from offset 0 while the host runs: stops the stream, empties the read model and resets the
    /// offset (and the pending gaps) in one transaction, and restarts the stream (when it was running). Returns once the
    /// replay has begun; the progress shows in <see cref="Status"/> (<see cref="ProjectionState.Rebuilding"/>,
    /// <see cref="ProjectionStatus.Rebuild"/>) and in log lines at most every <see cref="ProjectionSettings.ProgressLogInterval"/>.
    /// The rebuild completes when it reaches the journal's highest offset at its start (or nothing tagged is left before it).
    /// </summary>
    public async Task<RebuildProgress> RebuildAsync(CancellationToken cancellationToken = default)
    {
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var wasRunning = _running is not null;
            try
            {
                await StopStreamAsync(cancellationToken).ConfigureAwait(false);
                await InitializeCoreAsync(cancellationToken).ConfigureAwait(false);
                var target = await HighestJournalOffsetAsync(cancellationToken).ConfigureAwait(false);
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
                    Volatile.Write(ref _gaps, GapSet.Empty);
                    _lastEventTimestamp = null;
                    _runningSince = tracker.StartedAt;
                    _highestOffset = Math.Max(_highestOffset, target);
                    _rebuild = tracker;
                    if (target == 0) tracker.Complete(tracker.StartedAt, TimeSpan.Zero);
                    _state = !wasRunning ? ProjectionState.Stopped : tracker.Completed ? ProjectionState.Running : ProjectionState.Rebuilding;
                    progress = tracker.Snapshot(_time);
                }
                Log(LogLevel.InfoLevel,
                    $"Rebuilding from offset 0 up to offset {target}{(wasRunning ? "" : " (the projection is stopped: the replay starts with it)")}.");
                return progress;
            }
            finally
            {
                // Also after a failed reset: a running projection keeps running (from whatever offset is stored).
                if (wasRunning && _running is null && !_disposed) StartStream();
            }
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>
    /// Read-your-writes: completes with true as soon as the event at journal ordering <paramref name="minOffset"/> (and
    /// every event of the tag before it that the stream delivered) is in the read model, i.e. the stored offset is at
    /// least <paramref name="minOffset"/> and that ordering is not a pending gap; false after <paramref name="timeout"/>.
    /// Only this instance's progress counts: the projection must run here. During a rebuild the offset starts again at
    /// 0, so waiting callers wait for the replay to come by.
    /// </summary>
    public async Task<bool> WaitForOffsetAsync(long minOffset, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        if (IsApplied(minOffset)) return true;
        if (timeout == TimeSpan.Zero) return false;
        var reached = _waiters.Add(minOffset);
        try
        {
            if (IsApplied(minOffset)) return true;
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

    /// <summary>
    /// Read-your-writes where the projection runs on another node: polls the offset and gaps stored with the read model
    /// every <paramref name="pollInterval"/> until the event at <paramref name="minOffset"/> is applied (true), or
    /// <paramref name="timeout"/> has passed (false). What is read becomes this instance's <see cref="Offset"/> when it does
    /// not run itself (a stored offset only moves back with a rebuild, which this then sees too).
    /// </summary>
    public async Task<bool> WaitForStoredOffsetAsync(long minOffset, TimeSpan timeout, TimeSpan pollInterval, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollInterval, TimeSpan.Zero);
        var started = _time.GetTimestamp();
        while (true)
        {
            var (offset, gaps) = await _database.ReadAsync(async (session, ct) =>
                (await _offsets.ReadAsync(session, ct).ConfigureAwait(false), await _offsets.ReadGapsAsync(session, ct).ConfigureAwait(false)),
                cancellationToken).ConfigureAwait(false);
            if (!IsRunning)
            {
                Volatile.Write(ref _gaps, gaps);
                Interlocked.Exchange(ref _offset, offset);
            }
            if (OffsetWaiters.IsApplied(minOffset, offset, gaps)) return true;
            var left = timeout - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) return false;
            await Task.Delay(left < pollInterval ? left : pollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _control.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            await StopStreamAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _control.Release();
        }
    }

    public override string ToString() => $"Projection({Name})";

    private bool IsApplied(long ordering) => OffsetWaiters.IsApplied(ordering, Offset, PendingGaps);

    // The highest offset of the projection's own tag: the journal also holds other tags' events (transfers) and untagged
    // rows (the transfers' remembered entities) that the projection never reads, so a rebuild targeting the journal's
    // highest ordering would not complete, and "events behind" would never reach 0.
    private Task<long> HighestJournalOffsetAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync((session, ct) => _journal.HighestTaggedAsync(session, Tag, ct), cancellationToken);

    private async Task InitializeCoreAsync(CancellationToken cancellationToken)
    {
        if (_initialized) return;
        await _database.PrepareAsync(cancellationToken).ConfigureAwait(false);
        var (stored, gaps) = await _database.InTransactionAsync(async (session, ct) =>
        {
            await _database.LockSchemaAsync(session, ct).ConfigureAwait(false);
            await _offsets.CreateAsync(session, _time.GetUtcNow(), ct).ConfigureAwait(false);
            await _handler.InitializeAsync(session, ct).ConfigureAwait(false);
            return (await _offsets.ReadAsync(session, ct).ConfigureAwait(false), await _offsets.ReadGapsAsync(session, ct).ConfigureAwait(false));
        }, cancellationToken).ConfigureAwait(false);
        Publish(stored, gaps);
        _initialized = true;
    }

    /// <summary>Makes a stored offset and gap set the current ones and releases the waiters they satisfy.</summary>
    private void Publish(long offset, GapSet gaps)
    {
        Volatile.Write(ref _gaps, gaps);
        Interlocked.Exchange(ref _offset, offset);
        _waiters.Reached(offset, gaps);
    }

    private void Log(LogLevel level, string message, Exception? exception = null)
    {
        if (!_log.IsEnabled(level)) return;
        // Akka formats the message as a template: braces in it (ids, exception text) must not be read as placeholders.
        _log.Log(level, exception, message.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
