using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Actors.Benchmarks.Persistence;

/// <summary>
/// The PostgreSQL server of a benchmark: the one named by <c>ACTORS_POSTGRES</c>, else a throwaway server made with
/// the installed binaries (newest /usr/lib/postgresql/*/bin) in a temp directory on a free 127.0.0.1 port, run as
/// the postgres user when we are root, and removed on dispose. Unlike the test server (tests/Actors.Persistence.Tck)
/// it keeps the durable defaults: fsync=on, synchronous_commit=on, full_page_writes=on.
/// </summary>
public sealed class PostgresInstance : IAsyncDisposable
{
    public const string EnvironmentVariable = "ACTORS_POSTGRES";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    private readonly StringBuilder _output = new();
    private string _connectionString = "";
    private string? _bin;
    private string? _root;
    private Process? _server;
    private bool _asPostgres;

    private PostgresInstance() { }

    public string Description { get; private set; } = "";

    /// <summary>Connection string to the server's maintenance database.</summary>
    public string ConnectionString => _connectionString;

    public static async Task<PostgresInstance> StartAsync(Action<string> progress, CancellationToken cancellationToken)
    {
        var instance = new PostgresInstance();
        try
        {
            await instance.StartCoreAsync(progress, cancellationToken);
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(Action<string> progress, CancellationToken cancellationToken)
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            _connectionString = external;
            await WaitUntilAcceptingAsync(cancellationToken);
            Description = $"server from {EnvironmentVariable} ({await SettingsAsync(cancellationToken)})";
            progress($"using the PostgreSQL server in {EnvironmentVariable}: {Description}");
            return;
        }

        _bin = FindBinDirectory() ?? throw new InvalidOperationException(
            $"No PostgreSQL: {EnvironmentVariable} is not set and /usr/lib/postgresql/*/bin has no initdb/postgres/pg_ctl.");
        _asPostgres = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        _root = Path.Combine(_asPostgres ? "/tmp" : Path.GetTempPath(), $"actors-bench-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_root);
        if (_asPostgres) await RunAsync("chown", ["-R", "postgres:postgres", _root], asPostgres: false, cancellationToken);
        progress($"creating a throwaway PostgreSQL cluster in {_root} ({_bin})");
        await RunAsync(Path.Combine(_bin, "initdb"), ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"],
            _asPostgres, cancellationToken);

        var port = FreePort();
        _connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres", Timeout = 15, MaxPoolSize = 100,
        }.ConnectionString;
        _server = new Process
        {
            StartInfo = StartInfo(Path.Combine(_bin, "postgres"),
            [
                "-D", DataDirectory, "-p", port.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1", "-k", _root,
                // Durable defaults stated explicitly: every commit is flushed to disk before it is acknowledged.
                "-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on", "-c", "max_connections=200",
            ], _asPostgres),
        };
        _server.OutputDataReceived += (_, e) => Capture(e.Data);
        _server.ErrorDataReceived += (_, e) => Capture(e.Data);
        _server.Start();
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await WaitUntilAcceptingAsync(cancellationToken);
        Description = $"throwaway server on 127.0.0.1:{port} ({await SettingsAsync(cancellationToken)})";
        progress($"started PostgreSQL: {Description}");
    }

    private string DataDirectory => Path.Combine(_root!, "data");

    /// <summary>A new empty database; the returned function drops it again.</summary>
    public async Task<(string ConnectionString, Func<ValueTask> Drop)> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = $"actors_bench_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE \"{name}\"", cancellationToken);
        // A small pool, as a long-running node would have warm: each new PostgreSQL connection is a new server process
        // (fork, catalog caches, exit), and a fresh database per run would otherwise open dozens of them while 1,000
        // accounts recover at once, costing the server more CPU than the run's inserts.
        var connectionString = new NpgsqlConnectionStringBuilder(_connectionString) { Database = name, MaxPoolSize = 16 }.ConnectionString;
        return (connectionString, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", CancellationToken.None);
        });
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<string> SettingsAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT split_part(version(), ' ', 2) || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')"
            + " || ', wal_sync_method=' || current_setting('wal_sync_method') || ', shared_buffers=' || current_setting('shared_buffers')", connection);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task WaitUntilAcceptingAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_server is { HasExited: true }) throw new InvalidOperationException($"PostgreSQL exited early:{Environment.NewLine}{Output()}");
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException && clock.Elapsed < StartTimeout)
            {
                NpgsqlConnection.ClearAllPools();
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        var server = _server;
        _server = null;
        if (server is not null)
        {
            try
            {
                if (!server.HasExited)
                    await RunAsync(Path.Combine(_bin!, "pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30"], _asPostgres, CancellationToken.None);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                // Killed below.
            }
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await server.WaitForExitAsync(exited.Token);
            }
            catch (OperationCanceledException)
            {
                server.Kill(entireProcessTree: true);
            }
            server.Dispose();
        }
        if (_root is not null) Nodes.BenchDatabase.TryDelete(_root);
    }

    private void Capture(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > 16_000) _output.Remove(0, _output.Length - 16_000);
        }
    }

    private string Output()
    {
        lock (_output) return _output.ToString();
    }

    private static ProcessStartInfo StartInfo(string fileName, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var info = new ProcessStartInfo
        {
            FileName = asPostgres ? "runuser" : fileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", fileName }) info.ArgumentList.Add(a);
        }
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["LC_ALL"] = "C";
        foreach (var variable in new[] { "PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD" }) info.Environment.Remove(variable);
        return info;
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, bool asPostgres, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = StartInfo(fileName, arguments, asPostgres) };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var (output, error) = (await stdout, await stderr);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}{output}");
    }

    private static string? FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.EnumerateDirectories(root)
            .Select(d => (Bin: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(c => File.Exists(Path.Combine(c.Bin, "initdb")) && File.Exists(Path.Combine(c.Bin, "postgres")) && File.Exists(Path.Combine(c.Bin, "pg_ctl")))
            .OrderByDescending(c => c.Version)
            .Select(c => c.Bin)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
