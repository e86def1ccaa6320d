using Microsoft.Data.Sqlite;

namespace Actors.Journal.Sqlite;

/// <summary>
/// Copies the journal's WAL into the database file from a connection of its own, so that the batch writer's commits do
/// not stop for the copy. With SQLite's automatic checkpoint, the commit that takes the WAL past wal-autocheckpoint
/// pages copies every page written since the last checkpoint and fsyncs the file before it returns: under load that is
/// tens of milliseconds, a few times a second, while every caller of the journal waits. Here each tick copies what is
/// new without taking the write lock (PASSIVE). Once the WAL holds <c>restartPages</c>, a last short checkpoint in the
/// writers' turn (RESTART) lets the next commit write the WAL from its start again, so it does not grow without end.
/// </summary>
internal sealed class SqliteCheckpointer : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly SqliteWriteGate _gate;
    private readonly int _restartPages;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _restarts;

    public SqliteCheckpointer(string connectionString, SqliteWriteGate gate, TimeSpan interval, int restartPages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(restartPages, 1);
        _connectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString();
        _gate = gate;
        _restartPages = restartPages;
        _loop = Task.Run(() => RunAsync(interval));
    }

    /// <summary>Checkpoints that copied the whole WAL and left it to be written from its start again.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    private async Task RunAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        SqliteConnection? connection = null;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    connection ??= Open();
                    await CheckpointAsync(connection).ConfigureAwait(false);
                }
                catch (SqliteException)
                {
                    // The file is busy or gone for a moment: the next tick tries again on a new connection, and the
                    // writer's own automatic checkpoint (set far higher) still bounds the WAL meanwhile.
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // Never wait in SQLite's busy handler: a checkpoint that meets a reader or another process's writer copies
            // what it can and says busy; the next tick goes on from there.
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout = 0;";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async Task CheckpointAsync(SqliteConnection connection)
    {
        var (_, log, copied) = Checkpoint(connection, "PASSIVE");
        if (log < _restartPages) return;
        // The commits made while that copy ran: copied outside the writers' turn too, so the RESTART below (which the
        // writer waits for) has only a commit or two left to copy.
        if (copied < log) Checkpoint(connection, "PASSIVE");
        using var turn = await _gate.EnterAsync(_stop.Token).ConfigureAwait(false);
        var (busy, _, _) = Checkpoint(connection, "RESTART");
        if (!busy) Interlocked.Increment(ref _restarts);
    }

    /// <summary>One checkpoint: whether it stopped for a lock, the WAL's pages, and how many of them are now in the file.</summary>
    private static (bool Busy, long Log, long Copied) Checkpoint(SqliteConnection connection, string mode)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode});";
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return (true, 0, 0);
        return (reader.GetInt64(0) != 0, reader.GetInt64(1), reader.GetInt64(2));
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
