using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Actors.Persistence.Query.Projections;
using Actors.Persistence.Tck.Postgres;
using Microsoft.Data.Sqlite;

namespace Actors.Persistence.Query.Tests.Projections;

public sealed record TestEvent(decimal Amount);

/// <summary>
/// An in-memory, append-only event stream with a live query, and faults to inject: failing subscriptions and a
/// failing event. Offsets are 1, 2, 3... like a journal's orderings.
/// </summary>
public sealed class TestSource
{
    private readonly Lock _gate = new();
    private readonly List<EventEnvelope> _events = [];
    private readonly Queue<Exception> _subscribeFailures = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TaskCompletionSource _appended = NewSignal();

    /// <summary>When each subscription was made (elapsed since the source was created).</summary>
    public ConcurrentQueue<TimeSpan> Subscriptions { get; } = new();

    public long Highest
    {
        get { lock (_gate) return _events.Count; }
    }

    public ProjectionSource Source => new(Events, _ => Task.FromResult(Highest), CurrentEvents);

    /// <summary>Appends <paramref name="count"/> events (amount = offset / 100) to stream "p", written at <paramref name="timestamp"/> (default now).</summary>
    public IReadOnlyList<EventEnvelope> Append(int count, DateTimeOffset? timestamp = null, string persistenceId = "p")
    {
        var appended = new List<EventEnvelope>(count);
        TaskCompletionSource signal;
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                var offset = _events.Count + 1;
                var sequenceNr = _events.Count(e => e.PersistenceId == persistenceId) + 1;
                var envelope = new EventEnvelope(offset, persistenceId, sequenceNr, timestamp ?? DateTimeOffset.UtcNow, ["t"],
                    new TestEvent(offset / 100m), "test.event");
                _events.Add(envelope);
                appended.Add(envelope);
            }
            signal = _appended;
            _appended = NewSignal();
        }
        signal.TrySetResult();
        return appended;
    }

    /// <summary>The next <paramref name="count"/> subscriptions fail at once with <paramref name="error"/>.</summary>
    public void FailSubscriptions(int count, Exception error)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++) _subscribeFailures.Enqueue(error);
        }
    }

    private async IAsyncEnumerable<EventEnvelope> Events(long afterOffset, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Subscriptions.Enqueue(_clock.Elapsed);
        lock (_gate)
        {
            if (_subscribeFailures.TryDequeue(out var error)) throw error;
        }
        var next = afterOffset;
        while (true)
        {
            List<EventEnvelope> found;
            Task appended;
            lock (_gate)
            {
                found = [.. _events.Where(e => e.Offset > next)];
                appended = _appended.Task;
            }
            foreach (var envelope in found)
            {
                yield return envelope;
                next = envelope.Offset;
            }
            if (found.Count == 0) await appended.WaitAsync(cancellationToken);
        }
    }

    public async IAsyncEnumerable<EventEnvelope> CurrentEvents(long afterOffset, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<EventEnvelope> found;
        lock (_gate) found = [.. _events.Where(e => e.Offset > afterOffset)];
        foreach (var envelope in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return envelope;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// A read model of one row per handled event (no key, so an event applied twice shows as two rows) and a running
/// total of the amounts (decimal, as TEXT on SQLite). Throws mid-batch on demand.
/// </summary>
public sealed class TestHandler : IProjectionHandler
{
    private volatile Func<EventEnvelope, Task>? _beforeEvent;

    /// <summary>Throw when this offset comes up, after the batch's earlier events were written.</summary>
    public long? ThrowAtOffset { get; set; }

    public ConcurrentQueue<int> BatchSizes { get; } = new();

    public int Failures;

    public Func<EventEnvelope, Task>? BeforeEvent
    {
        get => _beforeEvent;
        set => _beforeEvent = value;
    }

    public async Task InitializeAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        var money = session.Dialect == SqlDialect.Sqlite ? "TEXT" : "NUMERIC";
        await session.ExecuteAsync(
            $"CREATE TABLE IF NOT EXISTS {session.Table("test_model")} (event_offset BIGINT NOT NULL, persistence_id TEXT NOT NULL, amount {money} NOT NULL)",
            cancellationToken);
        await session.ExecuteAsync(
            $"CREATE TABLE IF NOT EXISTS {session.Table("test_total")} (id INTEGER NOT NULL PRIMARY KEY, events BIGINT NOT NULL, amount {money} NOT NULL)",
            cancellationToken);
        await session.ExecuteAsync(
            $"INSERT INTO {session.Table("test_total")} (id, events, amount) VALUES (1, 0, @zero) ON CONFLICT (id) DO NOTHING", cancellationToken, ("zero", 0m));
    }

    public async Task HandleAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        BatchSizes.Enqueue(events.Count);
        var total = await ReadTotalAsync(session, cancellationToken);
        foreach (var envelope in events)
        {
            if (BeforeEvent is { } before) await before(envelope);
            if (envelope.Offset == ThrowAtOffset)
            {
                Interlocked.Increment(ref Failures);
                throw new InvalidOperationException($"Injected handler failure at offset {envelope.Offset}.");
            }
            var amount = ((TestEvent)envelope.Event).Amount;
            await session.ExecuteAsync($"INSERT INTO {session.Table("test_model")} (event_offset, persistence_id, amount) VALUES (@offset, @pid, @amount)",
                cancellationToken, ("offset", envelope.Offset), ("pid", envelope.PersistenceId), ("amount", amount));
            total = (total.Events + 1, total.Amount + amount);
        }
        await session.ExecuteAsync($"UPDATE {session.Table("test_total")} SET events = @events, amount = @amount WHERE id = 1", cancellationToken,
            ("events", total.Events), ("amount", total.Amount));
    }

    public async Task ResetAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync($"DELETE FROM {session.Table("test_model")}", cancellationToken);
        await session.ExecuteAsync($"UPDATE {session.Table("test_total")} SET events = 0, amount = @zero WHERE id = 1", cancellationToken, ("zero", 0m));
    }

    private static async Task<(long Events, decimal Amount)> ReadTotalAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync($"SELECT events, amount FROM {session.Table("test_total")} WHERE id = 1",
            r => (r.GetInt64(0), session.GetDecimal(r, 1)), cancellationToken);
        return rows[0];
    }
}

/// <summary>What a test database holds: the read model of <see cref="TestHandler"/> and the stored offsets.</summary>
public sealed record TestModel(IReadOnlyList<long> Offsets, long Events, decimal Amount, long StoredOffset)
{
    public static async Task<TestModel> ReadAsync(ProjectionDatabase database, string projection) =>
        await database.ReadAsync(async (session, ct) =>
        {
            var offsets = await session.QueryAsync($"SELECT event_offset FROM {session.Table("test_model")} ORDER BY event_offset", r => r.GetInt64(0), ct);
            var totals = await session.QueryAsync($"SELECT events, amount FROM {session.Table("test_total")} WHERE id = 1",
                r => (r.GetInt64(0), session.GetDecimal(r, 1)), ct);
            var stored = await session.ScalarAsync($"SELECT last_offset FROM {session.Table("projection_offset")} WHERE name = @name", ct, ("name", projection));
            return new TestModel(offsets, totals[0].Item1, totals[0].Item2, Convert.ToInt64(stored, System.Globalization.CultureInfo.InvariantCulture));
        }, CancellationToken.None);

    /// <summary>Every event up to the stored offset exactly once, nothing after it, and the totals agree.</summary>
    public void AssertConsistent()
    {
        Assert.Equal(Enumerable.Range(1, (int)StoredOffset).Select(i => (long)i), Offsets);
        Assert.Equal(StoredOffset, Events);
        Assert.Equal(Enumerable.Range(1, (int)StoredOffset).Sum(i => i / 100m), Amount);
    }
}

public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> after <paramref name="timeout"/> (default 5 s).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        while (!await condition())
        {
            if (deadline.Elapsed > limit) Assert.Fail($"Timed out after {limit.TotalSeconds:0.#} s waiting for: {what}");
            await Task.Delay(10);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        HoldsAsync(() => Task.FromResult(condition()), what, timeout);
}

/// <summary>A fresh database per test: a temp SQLite file, or a schema of its own in the shared PostgreSQL database.</summary>
public interface IProjectionTestDatabase : IAsyncDisposable
{
    Task<ProjectionDatabase> OpenAsync();
}

public sealed class SqliteTestDatabase : IProjectionTestDatabase
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "actors-projection-tests", Guid.NewGuid().ToString("N"));
    private readonly List<ProjectionDatabase> _opened = [];

    public string ConnectionString => $"Data Source={Path.Combine(_directory, "read.db")}";

    public Task<ProjectionDatabase> OpenAsync()
    {
        Directory.CreateDirectory(_directory);
        var database = new SqliteProjectionDatabase(ConnectionString);
        _opened.Add(database);
        return Task.FromResult<ProjectionDatabase>(database);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _opened) await database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory must not fail the test.
        }
    }
}

public sealed class PostgresTestDatabase(PostgresServer server) : IProjectionTestDatabase
{
    private readonly string _schema = $"p_{Guid.NewGuid():N}";
    private readonly List<ProjectionDatabase> _opened = [];

    public async Task<ProjectionDatabase> OpenAsync()
    {
        var database = new PostgresProjectionDatabase(await server.GetOrCreateDatabaseAsync(PostgresCollection.Database), _schema);
        _opened.Add(database);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _opened) await database.DisposeAsync();
    }
}
