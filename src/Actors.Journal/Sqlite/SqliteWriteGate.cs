using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Actors.Journal.Sqlite;

/// <summary>
/// Turn-taking for the write lock of one SQLite file within this process. SQLite itself has no queue for its write
/// lock: a connection that finds it taken sleeps in its busy handler (1, 2, 5, 10 … 100 ms) and retries, while the
/// journal's write loop under load takes the lock again right after each commit. Another writer (a projection, the
/// snapshot store) could then wait hundreds of milliseconds for a gap. Every in-process writer of the file takes a
/// turn here first, in arrival order (an async waiter is handed the turn on release), so it waits for at most the
/// transaction in progress. Writers in other processes still meet only SQLite's busy handler.
/// </summary>
internal sealed class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SqliteWriteGate> Gates = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim _turn = new(1, 1);

    private SqliteWriteGate() { }

    /// <summary>The gate of the database file <paramref name="connectionString"/> names (one per full path in the process).</summary>
    public static SqliteWriteGate For(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var source = builder.DataSource;
        // A private in-memory database is its own file: nobody to share a gate with.
        if (builder.Mode == SqliteOpenMode.Memory && !source.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || source is "" or ":memory:")
            return new SqliteWriteGate();
        var key = source.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || source.Contains("|DataDirectory|", StringComparison.OrdinalIgnoreCase)
            ? source
            : Path.GetFullPath(source);
        return Gates.GetOrAdd(key, static _ => new SqliteWriteGate());
    }

    /// <summary>Waits for this process's turn at the file's write lock; dispose the result to pass the turn on.</summary>
    public async ValueTask<Turn> EnterAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(this);
    }

    /// <summary>One writer's turn; disposing it (once) lets the next one in.</summary>
    public sealed class Turn : IDisposable
    {
        private SqliteWriteGate? _gate;

        internal Turn(SqliteWriteGate gate) => _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?._turn.Release();
    }
}
