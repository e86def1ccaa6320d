using Microsoft.Data.Sqlite;

namespace Actors.Journal.Sqlite;

/// <summary>
/// Copies the journal's WAL into the database file from a connection of its own, so that the batch writer's commits do
/// not stop for the copy. With SQLite's automatic checkpoint, the commit that takes the WAL past wal-autocheckpoint
/// pages copies every page written since the last checkpoint and fsyncs the file before it returns: under load that is
/// tens of milliseconds, a few times a second, while every caller of the journal waits. Here each tick looks at the
/// WAL's size in its index (the -shm file); once it holds <c>restartPages</c>, the pages are copied without the write
/// lock (PASSIVE), and a last short checkpoint in the writers' turn (RESTART) copies the commit or two made meanwhile and
/// lets the next commit write the WAL from its start again. So a page is copied as often as with SQLite's own automatic
/// checkpoint, and the WAL does not grow without end.
/// </summary>
public sealed class SqliteCheckpointer : IAsyncDisposable
{
    /// <summary>
    /// Starts checkpointing the SQLite file <paramref name="connectionString"/> names in the background: every
    /// <paramref name="interval"/> it looks at the WAL's size, and once it holds <paramref name="restartPages"/> pages it
    /// copies them into the file and restarts the WAL. Its writers should set their own wal_autocheckpoint well above
    /// <paramref name="restartPages"/> (a safety net only). Dispose to stop.
    /// </summary>
    public static SqliteCheckpointer Start(string connectionString, TimeSpan interval, int restartPages) =>
        new(connectionString, SqliteWriteGate.For(connectionString), interval, restartPages);

    private readonly string _connectionString;
    private readonly string _indexFile;
    private readonly SqliteWriteGate _gate;
    private readonly int _restartPages;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _restarts;

    internal SqliteCheckpointer(string connectionString, SqliteWriteGate gate, TimeSpan interval, int restartPages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(restartPages, 1);
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = false };
        _connectionString = builder.ToString();
        _indexFile = IndexFileOf(builder.DataSource);
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
        // Unknown (no index yet, or unreadable): a PASSIVE checkpoint is the look, and copies what is there.
        if (WalFrames(_indexFile) is { } frames && frames < _restartPages) return;
        var (_, log, copied) = Checkpoint(connection, "PASSIVE");
        if (log < _restartPages) return;
        // The commits made while that copy ran: copied outside the writers' turn too, so the RESTART below (which the
        // writer waits for) has only a commit or two left to copy.
        if (copied < log) Checkpoint(connection, "PASSIVE");
        using var turn = await _gate.EnterAsync(_stop.Token).ConfigureAwait(false);
        var (busy, _, _) = Checkpoint(connection, "RESTART");
        if (!busy) Interlocked.Increment(ref _restarts);
    }

    /// <summary>The WAL index (-shm) of the database file <paramref name="databaseFile"/>.</summary>
    internal static string IndexFileOf(string databaseFile) => Path.GetFullPath(databaseFile) + "-shm";

    /// <summary>
    /// The frames in the WAL: mxFrame of the WAL-index header at the start of the -shm file (offset 16, native byte order,
    /// as SQLite's file format documentation gives it), read without any lock. A torn read only moves a checkpoint by a
    /// tick. Null when there is no readable, initialized index.
    /// </summary>
    internal static long? WalFrames(string indexFile)
    {
        try
        {
            using var index = File.OpenHandle(indexFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Span<byte> header = stackalloc byte[20];
            if (RandomAccess.Read(index, header, 0) < header.Length || header[12] == 0) return null;
            return BitConverter.ToUInt32(header[16..]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
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
