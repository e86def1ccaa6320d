using System.Diagnostics;
using Actors.Core.Logging;
using Actors.Persistence.Query.Projections;

namespace Actors.Persistence.Query.Tests.Projections;

/// <summary>The projection runtime's contract, run against SQLite and PostgreSQL (see the subclasses).</summary>
public abstract class ProjectionSpecs : IAsyncLifetime
{
    protected const string Name = "test-projection";

    private readonly List<Projection> _projections = [];
    private IProjectionTestDatabase? _databases;

    protected static readonly ProjectionSettings Fast = new()
    {
        MinBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        BackoffRandomFactor = 0,
        ResubscribeInterval = TimeSpan.FromMilliseconds(20),
        ProgressLogInterval = TimeSpan.Zero,
    };

    protected TestSource Source { get; } = new();

    protected TestHandler Handler { get; } = new();

    protected CollectingLog Log { get; } = new();

    protected ProjectionDatabase Database { get; private set; } = null!;

    protected abstract IProjectionTestDatabase CreateDatabases();

    public async Task InitializeAsync()
    {
        _databases = CreateDatabases();
        Database = await _databases.OpenAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var projection in _projections) await projection.DisposeAsync();
        if (_databases is not null) await _databases.DisposeAsync();
    }

    protected Projection NewProjection(ProjectionSettings? settings = null, TestHandler? handler = null, ProjectionDatabase? database = null)
    {
        var projection = new Projection(Name, Source.Source, handler ?? Handler, database ?? Database, settings ?? Fast, Log);
        _projections.Add(projection);
        return projection;
    }

    protected Task<TestModel> ModelAsync() => TestModel.ReadAsync(Database, Name);

    private static async Task ReachAsync(Projection projection, long offset) =>
        Assert.True(await projection.WaitForOffsetAsync(offset, TimeSpan.FromSeconds(5)), $"{projection} did not reach offset {offset}: {projection.Status}");

    [Fact]
    public async Task Applies_the_events_and_stores_their_offset_with_the_read_model()
    {
        Source.Append(25);
        var projection = NewProjection();

        await projection.StartAsync();
        await ReachAsync(projection, 25);

        var model = await ModelAsync();
        Assert.Equal(25, model.StoredOffset);
        model.AssertConsistent();
        Assert.Equal(ProjectionState.Running, projection.State);
    }

    [Fact]
    public async Task A_new_instance_resumes_after_the_stored_offset_without_doubling_anything()
    {
        Source.Append(10);
        var first = NewProjection();
        await first.StartAsync();
        await ReachAsync(first, 10);
        await first.StopAsync();
        Source.Append(5);

        var second = NewProjection();
        await second.StartAsync();
        Assert.True(second.Offset >= 10);
        await ReachAsync(second, 15);

        var model = await ModelAsync();
        Assert.Equal(15, model.StoredOffset);
        model.AssertConsistent();
        Assert.True(Source.Subscriptions.Count == 2, $"{Source.Subscriptions.Count} subscriptions");
    }

    [Fact]
    public async Task A_handler_that_throws_mid_batch_changes_neither_read_model_nor_offset_and_the_restart_resumes_without_doubles()
    {
        Source.Append(5);
        var projection = NewProjection();
        await projection.StartAsync();
        await ReachAsync(projection, 5);
        await projection.StopAsync();

        // Events 6..20 are there before the restart, so the first batch holds several of them and fails at 12.
        Source.Append(15);
        Handler.ThrowAtOffset = 12;
        await projection.StartAsync();
        await Eventually.HoldsAsync(() => Volatile.Read(ref Handler.Failures) >= 2, "the handler failed twice");

        var failed = await ModelAsync();
        failed.AssertConsistent();
        Assert.InRange(failed.StoredOffset, 5, 11);
        Assert.Contains("Injected handler failure at offset 12", projection.Status.LastError);
        Assert.True(Handler.BatchSizes.Skip(1).Max() > 1, $"batches: {string.Join(", ", Handler.BatchSizes)}");

        Handler.ThrowAtOffset = null;
        await ReachAsync(projection, 20);

        var model = await ModelAsync();
        Assert.Equal(20, model.StoredOffset);
        model.AssertConsistent();
        Assert.Equal(ProjectionState.Running, projection.State);
        Assert.True(projection.Status.Restarts >= 2);
    }

    [Fact]
    public async Task A_failing_stream_is_restarted_with_exponential_backoff_from_the_stored_offset()
    {
        Source.Append(3);
        Source.FailSubscriptions(3, new IOException("The journal is unreachable (injected)."));
        var projection = NewProjection(Fast with { MinBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromSeconds(1) });

        await projection.StartAsync();
        await ReachAsync(projection, 3);

        var at = Source.Subscriptions.ToArray();
        Assert.Equal(4, at.Length);
        var gaps = at.Zip(at.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToArray();
        // 100, 200, 400 ms: each wait doubles (no jitter in these settings). The clock shows that no restart came early;
        // the log shows the waits chosen (a gap can come out longer on a busy machine, so the gaps cannot show the doubling).
        Assert.True(gaps[0] >= 90 && gaps[1] >= 180 && gaps[2] >= 360, $"gaps: {string.Join(", ", gaps)}");
        var waits = Log.Lines.Where(l => l.Message.Contains("Restarting from the stored offset", StringComparison.Ordinal))
            .Select(l => l.Message[(l.Message.LastIndexOf(" in ", StringComparison.Ordinal) + 4)..]).ToArray();
        Assert.Equal(["0.1 s.", "0.2 s.", "0.4 s."], waits);
        var status = projection.Status;
        Assert.Equal(3, status.Restarts);
        Assert.Contains("unreachable", status.LastError);
        Assert.Equal(ProjectionState.Running, status.State);
        Assert.Contains(Log.Lines, l => l.Level == ActorLogLevel.Warning && l.Message.Contains("Restarting from the stored offset", StringComparison.Ordinal));
        (await ModelAsync()).AssertConsistent();
    }

    [Fact]
    public async Task Rebuild_from_offset_zero_while_running_gives_the_same_read_model_and_reports_progress()
    {
        Source.Append(300);
        var projection = NewProjection(Fast with { MaxBatchSize = 50 });
        await projection.StartAsync();
        await ReachAsync(projection, 300);
        var before = await ModelAsync();

        // Slow the replay down a little, so it can be seen in progress.
        Handler.BeforeEvent = e => e.Offset % 50 == 0 ? Task.Delay(20) : Task.CompletedTask;
        var started = await projection.RebuildAsync();
        Assert.Equal(300, started.TargetOffset);
        Assert.False(started.Completed);
        Source.Append(20); // events keep coming during the rebuild

        await Eventually.HoldsAsync(() => projection.Status.Rebuild is { Completed: true }, "the rebuild completed");
        await ReachAsync(projection, 320);
        var status = projection.Status;
        Assert.Equal(ProjectionState.Running, status.State);
        Assert.True(status.Rebuild!.EventsDone >= 300);
        Assert.True(status.Rebuild.EventsPerSecond > 0);
        Assert.Equal(100, status.Rebuild.PercentDone);
        Assert.Contains(Log.Lines, l => l.Message.StartsWith("Rebuilding from offset 0 up to offset 300", StringComparison.Ordinal));
        Assert.Contains(Log.Lines, l => l.Message.StartsWith("Rebuilding: ", StringComparison.Ordinal)); // progress lines
        Assert.Contains(Log.Lines, l => l.Message.StartsWith("Rebuild completed: ", StringComparison.Ordinal));

        var after = await ModelAsync();
        after.AssertConsistent();
        Assert.Equal(before.Offsets, after.Offsets.Take(300));
        Assert.Equal(320, after.StoredOffset);
    }

    [Fact]
    public async Task During_a_rebuild_the_status_says_rebuilding_with_the_events_done()
    {
        Source.Append(40);
        var projection = NewProjection(Fast with { MaxBatchSize = 1 });
        await projection.StartAsync();
        await ReachAsync(projection, 40);

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Handler.BeforeEvent = e => e.Offset == 11 ? gate.Task : Task.CompletedTask;
        await projection.RebuildAsync();

        await Eventually.HoldsAsync(() => projection.Offset == 10, "the replay reached offset 10");
        var status = await projection.GetStatusAsync();
        Assert.Equal(ProjectionState.Rebuilding, status.State);
        Assert.Equal(10, status.Rebuild!.EventsDone);
        Assert.Equal(40, status.Rebuild.TargetOffset);
        Assert.Equal(25, status.Rebuild.PercentDone);
        Assert.Equal(30, status.EventsBehind);
        Assert.False(await projection.WaitForOffsetAsync(40, TimeSpan.FromMilliseconds(50))); // the read model is not there yet

        gate.SetResult();
        await ReachAsync(projection, 40);
        Assert.Equal(ProjectionState.Running, projection.State);
        (await ModelAsync()).AssertConsistent();
    }

    [Fact]
    public async Task A_rebuild_completes_when_the_journal_ends_with_events_that_are_not_in_the_stream()
    {
        Source.Append(30);
        // As a tag query: the journal's highest offset (35) is beyond the last event of the stream (30).
        var source = new ProjectionSource(Source.Source.Events, _ => Task.FromResult(Source.Highest + 5),
            Source.CurrentEvents);
        var projection = new Projection(Name, source, Handler, Database, Fast, Log);
        await using (projection)
        {
            await projection.StartAsync();
            await ReachAsync(projection, 30);

            var started = await projection.RebuildAsync();
            Assert.Equal(35, started.TargetOffset);
            await Eventually.HoldsAsync(() => projection.Status.Rebuild is { Completed: true }, "the rebuild completed");
            Assert.Equal(ProjectionState.Running, projection.State);
            Assert.Equal(30, projection.Status.Rebuild!.EventsDone);
            (await ModelAsync()).AssertConsistent();
        }
    }

    [Fact]
    public async Task WaitForOffset_completes_once_the_offset_is_stored_and_gives_up_after_its_timeout()
    {
        var projection = NewProjection();
        await projection.StartAsync();

        Assert.True(await projection.WaitForOffsetAsync(0, TimeSpan.Zero));
        var clock = Stopwatch.StartNew();
        Assert.False(await projection.WaitForOffsetAsync(1, TimeSpan.FromMilliseconds(100)));
        Assert.InRange(clock.ElapsedMilliseconds, 90, 2000);

        var waiting = projection.WaitForOffsetAsync(3, TimeSpan.FromSeconds(5));
        Source.Append(2);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        Source.Append(1);
        Assert.True(await waiting);
        Assert.Equal(3, (await ModelAsync()).StoredOffset); // what the caller reads next is there

        using var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => projection.WaitForOffsetAsync(10, TimeSpan.FromSeconds(5), cancelled.Token));
    }

    [Fact]
    public async Task Status_shows_the_lag_in_events_and_seconds_and_none_when_caught_up()
    {
        var written = DateTimeOffset.UtcNow.AddSeconds(-60);
        Source.Append(1, written);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Handler.BeforeEvent = e => e.Offset >= 2 ? gate.Task : Task.CompletedTask;
        var projection = NewProjection();
        await projection.StartAsync();
        await ReachAsync(projection, 1);
        Source.Append(4, written);

        var behind = await projection.GetStatusAsync();
        Assert.Equal(Name, behind.Name);
        Assert.Equal(1, behind.Offset);
        Assert.Equal(5, behind.HighestOffset);
        Assert.Equal(4, behind.EventsBehind);
        Assert.InRange(behind.SecondsBehind, 59, 120);
        Assert.Equal(written, behind.LastEventTimestamp);

        gate.SetResult();
        await ReachAsync(projection, 5);
        var caughtUp = await projection.GetStatusAsync();
        Assert.Equal(0, caughtUp.EventsBehind);
        Assert.Equal(0, caughtUp.SecondsBehind);
        Assert.Equal(5, caughtUp.EventsHandled);
        Assert.Null(caughtUp.LastError);
    }

    [Fact]
    public async Task Batches_fill_up_when_behind_and_single_events_go_alone_when_idle()
    {
        Source.Append(1000);
        var projection = NewProjection(Fast with { MaxBatchSize = 100 });
        await projection.StartAsync();
        await ReachAsync(projection, 1000);

        var sizes = Handler.BatchSizes.ToArray();
        Assert.All(sizes, s => Assert.InRange(s, 1, 100));
        Assert.Contains(100, sizes);
        Assert.True(sizes.Length <= 100, $"{sizes.Length} batches for 1000 events");

        for (var i = 1; i <= 3; i++)
        {
            Source.Append(1);
            await ReachAsync(projection, 1000 + i);
        }
        Assert.Equal([1, 1, 1], Handler.BatchSizes.TakeLast(3));
        (await ModelAsync()).AssertConsistent();
    }

    [Fact]
    public async Task Stop_ends_the_loop_promptly_while_idle_and_while_backing_off()
    {
        var idle = NewProjection();
        await idle.StartAsync();
        var clock = Stopwatch.StartNew();
        await idle.StopAsync();
        Assert.True(clock.ElapsedMilliseconds < 1000, $"{clock.ElapsedMilliseconds} ms");
        Assert.Equal(ProjectionState.Stopped, idle.State);

        Source.FailSubscriptions(100, new IOException("down"));
        var failing = NewProjection(Fast with { MinBackoff = TimeSpan.FromSeconds(30), MaxBackoff = TimeSpan.FromSeconds(30) });
        await failing.StartAsync();
        await Eventually.HoldsAsync(() => failing.State == ProjectionState.Failed, "the projection failed");
        clock.Restart();
        await failing.StopAsync();
        Assert.True(clock.ElapsedMilliseconds < 1000, $"{clock.ElapsedMilliseconds} ms");
        Assert.Equal(ProjectionState.Stopped, failing.State);
    }

    [Fact]
    public async Task Two_instances_of_one_projection_never_apply_an_event_twice()
    {
        var first = NewProjection();
        var second = NewProjection(handler: new TestHandler());
        await first.StartAsync();
        await second.StartAsync();

        for (var i = 0; i < 10; i++)
        {
            Source.Append(30);
            await Task.Delay(5);
        }
        await Eventually.HoldsAsync(async () => (await ModelAsync()).StoredOffset == 300, "the stored offset reached 300");

        (await ModelAsync()).AssertConsistent();
        // The loser of a race logs its conflict after the winner's commit, so the line may come a little later.
        await Eventually.HoldsAsync(() => Log.Lines.Any(l => l.Exception is ProjectionOffsetConflictException), "an offset conflict was logged");
    }

    [Fact]
    public async Task The_runner_starts_and_stops_every_projection_and_refuses_a_second_one_of_a_name()
    {
        Source.Append(5);
        var other = new Projection("other", Source.Source, new TestHandler(), Database, Fast);
        var runner = new ProjectionRunner([NewProjection(), other]);
        Assert.Throws<ArgumentException>(() => runner.Add(new Projection(Name, Source.Source, new TestHandler(), Database, Fast)));

        await runner.StartAsync();
        Assert.All(runner.Projections, p => Assert.NotEqual(ProjectionState.Stopped, p.State));
        foreach (var projection in runner.Projections) await ReachAsync(projection, 5);
        var statuses = await runner.GetStatusesAsync();
        Assert.Equal([Name, "other"], statuses.Select(s => s.Name));
        Assert.All(statuses, s => Assert.Equal(0, s.EventsBehind));

        await runner.StopAsync();
        Assert.All(runner.Projections, p => Assert.Equal(ProjectionState.Stopped, p.State));
        await runner.DisposeAsync();
    }

    [Fact]
    public async Task Money_round_trips_exactly_through_a_session()
    {
        await NewProjection().InitializeAsync(); // the PostgreSQL schema
        var money = Database.Dialect == SqlDialect.Sqlite ? "TEXT" : "NUMERIC";
        decimal[] values = [0.1m, 0.2m, 12345678901234567.89m, -0.01m, 79228162514264337593543950335m];
        var read = await Database.InTransactionAsync(async (session, ct) =>
        {
            await session.ExecuteAsync($"CREATE TABLE {session.Table("money")} (id INTEGER NOT NULL PRIMARY KEY, amount {money} NOT NULL)", ct);
            for (var i = 0; i < values.Length; i++)
                await session.ExecuteAsync($"INSERT INTO {session.Table("money")} (id, amount) VALUES (@id, @amount)", ct, ("id", i), ("amount", values[i]));
            return await session.QueryAsync($"SELECT amount FROM {session.Table("money")} ORDER BY id", r => session.GetDecimal(r, 0), ct);
        }, CancellationToken.None);

        Assert.Equal(values, read);
        Assert.Equal(0.3m, read[0] + read[1]);
    }

    [Fact]
    public async Task A_prepared_statement_binds_by_position_runs_many_times_in_the_transaction_and_rolls_back_with_it()
    {
        await NewProjection().InitializeAsync(); // the PostgreSQL schema
        var money = Database.Dialect == SqlDialect.Sqlite ? "TEXT" : "NUMERIC";
        await Database.InTransactionAsync((session, ct) => session.ExecuteAsync(
            $"CREATE TABLE {session.Table("rows")} (id BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, amount {money} NOT NULL, at BIGINT NOT NULL)", ct),
            CancellationToken.None);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        string[] names = ["", "ascii", "ünïcödé €", new string('x', 5000)];
        decimal[] amounts = [0m, 10.50m, -0.01m, 79228162514264337593543950335m];

        await Database.InTransactionAsync(async (session, ct) =>
        {
            var insert = session.Prepare(
                $"INSERT INTO {session.Table("rows")} (id, name, amount, at) VALUES ({session.Parameter(1)}, {session.Parameter(2)}, {session.Parameter(3)}, {session.Parameter(4)}) ON CONFLICT (id) DO NOTHING");
            await using (insert)
            {
                for (var i = 0; i < names.Length; i++)
                {
                    insert.Bind(1, i);
                    insert.Bind(2, names[i]);
                    insert.Bind(3, amounts[i]);
                    insert.Bind(4, at);
                    Assert.Equal(1, await insert.ExecuteAsync(ct));
                }
                insert.Bind(1, 0); // the same key again: nothing changes
                Assert.Equal(0, await insert.ExecuteAsync(ct));
            }
        }, CancellationToken.None);

        // A statement in a transaction that fails afterwards changes nothing.
        await Assert.ThrowsAsync<InvalidOperationException>(() => Database.InTransactionAsync(async (session, ct) =>
        {
            var update = session.Prepare($"UPDATE {session.Table("rows")} SET name = {session.Parameter(2)} WHERE id = {session.Parameter(1)}");
            await using (update)
            {
                update.Bind(1, 1);
                update.Bind(2, "changed");
                Assert.Equal(1, await update.ExecuteAsync(ct));
            }
            throw new InvalidOperationException("fails after the update");
        }, CancellationToken.None));

        var rows = await Database.ReadAsync((session, ct) => session.QueryAsync(
            $"SELECT id, name, amount, at FROM {session.Table("rows")} ORDER BY id",
            r => (r.GetInt64(0), r.GetString(1), session.GetDecimal(r, 2), r.GetInt64(3)), ct), CancellationToken.None);
        Assert.Equal(names.Select((name, i) => ((long)i, name, amounts[i], at.ToUnixTimeMilliseconds())), rows);
    }
}

/// <summary>Log lines, for asserting on what the projection reported.</summary>
public sealed class CollectingLog : ILogSink
{
    private readonly Lock _gate = new();
    private readonly List<(ActorLogLevel Level, string Source, string Message, Exception? Exception)> _lines = [];

    public IReadOnlyList<(ActorLogLevel Level, string Source, string Message, Exception? Exception)> Lines
    {
        get { lock (_gate) return [.. _lines]; }
    }

    public bool IsEnabled(ActorLogLevel level) => true;

    public void Log(ActorLogLevel level, string source, string message, Exception? exception)
    {
        lock (_gate) _lines.Add((level, source, message, exception));
    }
}
