using Akka;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Bank.ReadModels.Projections;

public sealed partial class Projection
{
    /// <summary>What the single writer stage does next: write a batch of the stream, or look at the pending gaps.</summary>
    private abstract record Work;

    private sealed record BatchWork(List<EventEnvelope> Events) : Work;

    private sealed record GapCheck : Work
    {
        public static readonly GapCheck Instance = new();
    }

    /// <summary>
    /// The work that gathered while the writer was busy (or pausing, see <see cref="ProjectionSettings.MinBatchInterval"/>):
    /// the batches' events, written in one transaction, then a gap check if a tick came.
    /// </summary>
    private sealed class GatheredWork
    {
        public List<EventEnvelope> Events { get; } = [];
        public bool CheckGaps { get; private set; }

        public GatheredWork Add(Work work)
        {
            if (work is BatchWork batch) Events.AddRange(batch.Events);
            else CheckGaps = true;
            return this;
        }
    }

    /// <summary>A materialized stream: its kill switch, its completion, and the token that cancels its transaction in flight.</summary>
    private sealed record RunningStream(UniqueKillSwitch KillSwitch, Task Completion, CancellationTokenSource Stop);

    // Under _control.
    private void StartStream()
    {
        var stop = new CancellationTokenSource();
        lock (_statusGate) _state = _rebuild is { Completed: false } ? ProjectionState.Rebuilding : ProjectionState.Running;
        var restart = RestartSettings.Create(Settings.MinBackoff, Settings.MaxBackoff, Settings.BackoffRandomFactor);
        var (killSwitch, completion) = RestartSource.WithBackoff(() => RunOnce(stop.Token), restart)
            .ViaMaterialized(KillSwitches.Single<Done>(), Keep.Right)
            .ToMaterialized(Sink.Ignore<Done>(), Keep.Both)
            .Run(_materializer);
        _running = new RunningStream(killSwitch, completion, stop);
    }

    // Under _control.
    private async Task StopStreamAsync(CancellationToken cancellationToken)
    {
        var running = _running;
        if (running is null) return;
        _running = null;
        lock (_statusGate) _state = ProjectionState.Stopped;
        // The kill switch cancels the restart loop and the stream; the token aborts the transaction in flight (rolled back).
        running.KillSwitch.Shutdown();
        await running.Stop.CancelAsync().ConfigureAwait(false);
        await running.Completion.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Volatile.Read(ref _inFlight).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        running.Stop.Dispose();
        Log(LogLevel.InfoLevel, $"Stopped at offset {Offset}.");
    }

    /// <summary>
    /// One run of the stream, made again by the restart loop after each failure: read the stored offset and gaps, follow
    /// the tag from there in batches (a batch takes whatever arrived while the previous one was written), merged with the
    /// gap-check tick, one transaction at a time.
    /// </summary>
    private Source<Done, NotUsed> RunOnce(CancellationToken stop) =>
        Source.FromTask(BeginRunAsync(stop))
            .ConcatMany(offset => _source.EventsAfter(offset)
                .Batch(Settings.MaxBatchSize, envelope => new List<EventEnvelope> { envelope }, (batch, envelope) =>
                {
                    batch.Add(envelope);
                    return batch;
                })
                .Select(batch => (Work)new BatchWork(batch))
                .Merge(Source.Tick<Work>(Settings.GapCheckInterval, Settings.GapCheckInterval, GapCheck.Instance)
                    .MapMaterializedValue(_ => NotUsed.Instance), eagerComplete: true)
                // Merge holds one element ahead: gathering after it keeps a batch that waited there from going alone.
                .BatchWeighted(Settings.MaxBatchSize, work => work is BatchWork batch ? batch.Events.Count : 0,
                    work => new GatheredWork().Add(work), (gathered, work) => gathered.Add(work))
                .SelectAsync(1, work => TrackAsync(work, stop))
                // A gap check that finds the stream stalled ends the run: the restart loop subscribes again from the stored offset.
                .TakeWhile(keepGoing => keepGoing)
                .Select(_ => Done.Instance))
            .SelectError(e =>
            {
                RecordFailure(e, stop);
                return e;
            });

    /// <summary>Waits for a transaction a failed run left in flight, then takes the stored offset and gaps as this run's start.</summary>
    private async Task<long> BeginRunAsync(CancellationToken stop)
    {
        await Volatile.Read(ref _inFlight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var (offset, gaps) = await _database.ReadAsync(async (session, ct) =>
            (await _offsets.ReadAsync(session, ct).ConfigureAwait(false), await _offsets.ReadGapsAsync(session, ct).ConfigureAwait(false)),
            stop).ConfigureAwait(false);
        bool restarted;
        lock (_statusGate)
        {
            stop.ThrowIfCancellationRequested();
            restarted = _lastRunFailed;
            if (restarted) _restarts++;
            _lastRunFailed = false;
            _state = _rebuild is { Completed: false } ? ProjectionState.Rebuilding : ProjectionState.Running;
            _runningSince = _time.GetUtcNow();
        }
        Publish(offset, gaps);
        if (restarted) Log(LogLevel.InfoLevel, $"Restarted from the stored offset {offset}{(gaps.IsEmpty ? "" : $", waiting for the gaps {gaps}")}.");
        return offset;
    }

    private Task<bool> TrackAsync(GatheredWork work, CancellationToken stop)
    {
        var task = work.Events.Count == 0
            ? CheckGapsAsync(stop)
            : WriteThenSpaceAsync(work.Events, work.CheckGaps, stop);
        Volatile.Write(ref _inFlight, task);
        return task;
    }

    /// <summary>
    /// Writes the batch (and checks the gaps if a tick came with it); after a batch that was not full, when the journal holds
    /// less than a full batch beyond it (caught up: what is there now would not fill the next one either), keeps the stream
    /// from taking the next for <see cref="ProjectionSettings.MinBatchInterval"/>, so that what arrives meanwhile goes into
    /// one transaction. Behind (a rebuild, a restart after downtime, a burst), it never pauses: the read journal's pages
    /// need not fill a batch, and a pause after each of them would cap a rebuild at a batch per interval.
    /// </summary>
    private async Task<bool> WriteThenSpaceAsync(List<EventEnvelope> events, bool checkGaps, CancellationToken stop)
    {
        var behind = await WriteBatchAsync(events, stop).ConfigureAwait(false);
        var keepGoing = !checkGaps || await CheckGapsAsync(stop).ConfigureAwait(false);
        if (keepGoing && events.Count < Settings.MaxBatchSize && behind < Settings.MaxBatchSize
            && Settings.MinBatchInterval > TimeSpan.Zero && !stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Settings.MinBatchInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopping: the batch is committed; nothing waits for the pause.
            }
        }
        return keepGoing;
    }

    private void RecordFailure(Exception error, CancellationToken stop)
    {
        int failures;
        lock (_statusGate)
        {
            if (stop.IsCancellationRequested) return;
            failures = ++_failuresInARow;
            _lastRunFailed = true;
            _state = ProjectionState.Failed;
            _lastError = $"{error.GetType().Name}: {error.Message}";
            _lastErrorAt = _time.GetUtcNow();
        }
        Log(failures >= 5 ? LogLevel.ErrorLevel : LogLevel.WarningLevel,
            $"Failed at offset {Offset} ({failures} in a row); the transaction was rolled back. Restarting from the stored offset after a backoff " +
            $"({Settings.MinBackoff.TotalSeconds:0.###} s doubling up to {Settings.MaxBackoff.TotalSeconds:0.###} s).", error);
    }
}
