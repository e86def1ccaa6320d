using Npgsql;

namespace Actors.Journal.Query.Postgres;

/// <summary>
/// LISTENs on a dedicated connection (not pooled, so a broken one is really gone) and wakes the read journal on every
/// notification for its schema. Started on the first live query. Reconnects after a failure with a doubling delay;
/// after every (re)connect it wakes the readers once, since notifications sent while it was away are lost.
/// </summary>
internal sealed class PostgresNotificationListener : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly string _payload;
    private readonly Action _wake;
    private readonly FastSqlReadJournalSettings _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _loop;
    private int _connects;

    /// <param name="payload">The notifications that wake: the journal table as <c>schema.table</c> (unquoted).</param>
    public PostgresNotificationListener(string connectionString, string payload, Action wake, FastSqlReadJournalSettings options)
    {
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            // Keepalive queries while idle in WaitAsync: a dead server or network is noticed and the loop reconnects.
            KeepAlive = 15,
            ApplicationName = ApplicationName,
        }.ConnectionString;
        _payload = payload;
        _wake = wake;
        _options = options;
    }

    /// <summary>The listener connection's application_name (handy in pg_stat_activity).</summary>
    public const string ApplicationName = "actors-fast-sql-read-journal-listener";

    /// <summary>Successful LISTENs so far (1 after the first connect; more after reconnects).</summary>
    public int Connects => Volatile.Read(ref _connects);

    /// <summary>The last error that broke the connection, if any (for diagnostics).</summary>
    public Exception? LastError { get; private set; }

    public void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is not null) return;
        lock (_gate)
        {
            if (_loop is not null || _stop.IsCancellationRequested) return;
            _loop = Task.Run(() => RunAsync(_stop.Token));
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var delay = _options.ListenerReconnectDelay;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                connection.Notification += OnNotification;
                await connection.OpenAsync(stop).ConfigureAwait(false);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresTriggers.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                Interlocked.Increment(ref _connects);
                delay = _options.ListenerReconnectDelay;
                _wake();
                while (true) await connection.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Lost connection, server restart, failover...: readers keep polling meanwhile.
                LastError = e;
            }

            try
            {
                await Task.Delay(delay, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ListenerMaxReconnectDelay.Ticks));
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (string.Equals(e.Payload, _payload, StringComparison.Ordinal)) _wake();
    }

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested) return;
            _stop.Cancel();
            loop = _loop;
        }
        if (loop is not null) await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
