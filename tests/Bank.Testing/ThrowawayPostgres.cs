using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Bank.Testing;

/// <summary>
/// A PostgreSQL server of our own, from the installed binaries (newest <c>/usr/lib/postgresql/*/bin</c>, else
/// <c>initdb</c> on the PATH): a new cluster in a temp directory, the server on a free 127.0.0.1 port (as the
/// <c>postgres</c> user when we are root, which PostgreSQL requires), stopped and its directory removed on dispose.
/// The tests' fixture (<see cref="PostgresServer"/>) runs it without fsync; the benchmarks (tests/Benchmarks, which link
/// this file) run it with the durable defaults, so their figures are what a production server would give.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    public const string EnvironmentVariable = "ACTORS_POSTGRES";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private const int MaxCapturedChars = 16_000;

    private readonly StringBuilder _output = new();
    private readonly string _binDirectory;
    private readonly string _rootDirectory;
    private readonly bool _asPostgresUser;
    private Process? _server;

    private ThrowawayPostgres(string binDirectory, string rootDirectory, bool asPostgresUser)
    {
        _binDirectory = binDirectory;
        _rootDirectory = rootDirectory;
        _asPostgresUser = asPostgresUser;
    }

    /// <summary>The connection string to the server's <c>postgres</c> database.</summary>
    public string ConnectionString { get; private set; } = "";

    public int Port { get; private set; }

    /// <summary>
    /// Creates and starts a server. <paramref name="durable"/>: fsync, synchronous_commit and full_page_writes on, as
    /// PostgreSQL ships (benchmarks); otherwise off (tests, where a crash of the machine loses nothing of value).
    /// Throws with the reason when there are no binaries or the server does not come up.
    /// </summary>
    public static async Task<ThrowawayPostgres> StartAsync(bool durable, CancellationToken cancellationToken)
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            $"No PostgreSQL server: {EnvironmentVariable} is not set and no initdb/postgres/pg_ctl binaries were found " +
            "in /usr/lib/postgresql/*/bin or on the PATH. Install the 'postgresql' package or set " +
            $"{EnvironmentVariable} to a connection string (e.g. \"Host=localhost;Username=postgres;Password=...\").");
        var asPostgresUser = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        // The postgres OS user must be able to reach the directory, so when running as root use /tmp itself.
        var tempRoot = asPostgresUser && Directory.Exists("/tmp") ? "/tmp" : Path.GetTempPath();
        var server = new ThrowawayPostgres(bin, Path.Combine(tempRoot, $"actors-pg-{Guid.NewGuid():N}"), asPostgresUser);
        try
        {
            await server.CreateClusterAsync(durable, cancellationToken);
            await server.StartServerAsync(durable, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits until the server at <paramref name="connectionString"/> answers a query (up to a minute). A server that answers
    /// with a real error (bad password, unknown database) fails at once; so does <paramref name="process"/> exiting.
    /// </summary>
    public static Task WaitUntilAcceptingAsync(string connectionString, CancellationToken cancellationToken) =>
        WaitUntilAcceptingAsync(connectionString, process: null, output: () => "", cancellationToken);

    private static async Task WaitUntilAcceptingAsync(string connectionString, Process? process, Func<string> output, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < StartTimeout)
        {
            if (process is { HasExited: true })
            {
                await process.WaitForExitAsync(cancellationToken); // flushes the captured output
                throw new InvalidOperationException(
                    $"PostgreSQL exited with code {process.ExitCode} before accepting connections.{Environment.NewLine}{output()}");
            }
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return;
            }
            catch (PostgresException e) when (e.SqlState != PostgresErrorCodes.CannotConnectNow)
            {
                // The server answered with a real error: waiting will not help.
                throw new InvalidOperationException($"PostgreSQL refused the connection: {e.Message}{Environment.NewLine}{output()}", e);
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException)
            {
                last = e;
                NpgsqlConnection.ClearAllPools();
            }
            await Task.Delay(100, cancellationToken);
        }
        var where = process is null ? $"the server in {EnvironmentVariable}" : "the throwaway PostgreSQL server";
        throw new InvalidOperationException(
            $"Could not connect to {where} within {StartTimeout.TotalSeconds:0} s: {last?.Message}{Environment.NewLine}{output()}", last);
    }

    private string DataDirectory => Path.Combine(_rootDirectory, "data");

    private async Task CreateClusterAsync(bool durable, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_rootDirectory);
        if (_asPostgresUser) await RunAsync("chown", ["-R", "postgres:postgres", _rootDirectory], asPostgres: false, cancellationToken);
        List<string> arguments = ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"];
        if (!durable) arguments.Add("--no-sync");
        await RunAsync(Path.Combine(_binDirectory, "initdb"), arguments, _asPostgresUser, cancellationToken);
    }

    private async Task StartServerAsync(bool durable, CancellationToken cancellationToken)
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            Port = FindFreePort();
            ConnectionString = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1", Port = Port, Username = "postgres", Database = "postgres", Timeout = 15, MaxPoolSize = 100,
            }.ConnectionString;
            var process = StartServerProcess(durable);
            _server = process;
            try
            {
                await WaitUntilAcceptingAsync(ConnectionString, process, Output, cancellationToken);
                return;
            }
            catch (Exception) when (attempt < attempts && process.HasExited && Output().Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                // Someone took the port between probing and binding: try another one.
                process.Dispose();
                _server = null;
                lock (_output) _output.Clear();
            }
        }
    }

    private Process StartServerProcess(bool durable)
    {
        var onOff = durable ? "on" : "off";
        string[] arguments =
        [
            "-D", DataDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1", "-k", _rootDirectory,
            "-c", $"fsync={onOff}", "-c", $"synchronous_commit={onOff}", "-c", $"full_page_writes={onOff}", "-c", "max_connections=200",
        ];
        var process = new Process { StartInfo = StartInfo(Path.Combine(_binDirectory, "postgres"), arguments, _asPostgresUser) };
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        try
        {
            process.Start();
        }
        catch (Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start {process.StartInfo.FileName}: {e.Message}", e);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Capture(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > MaxCapturedChars) _output.Remove(0, _output.Length - MaxCapturedChars);
        }
    }

    private string Output()
    {
        lock (_output) return _output.ToString();
    }

    /// <summary>Stops the server (fast shutdown, killed after 30 s) and removes its directory. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        var process = _server;
        _server = null;
        try
        {
            if (process is not null)
            {
                if (!process.HasExited)
                {
                    try
                    {
                        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30"],
                            _asPostgresUser, CancellationToken.None);
                    }
                    catch (Exception e) when (e is InvalidOperationException or IOException)
                    {
                        // Killed below.
                    }
                }
                using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await process.WaitForExitAsync(exited.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
                process.Dispose();
            }
        }
        finally
        {
            try
            {
                if (Directory.Exists(_rootDirectory)) Directory.Delete(_rootDirectory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A leftover temp directory must not fail the run.
            }
        }
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
            foreach (var argument in new[] { "-u", "postgres", "--", fileName }) info.ArgumentList.Add(argument);
        }
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // The server's messages in English whatever the machine's locale, and no inherited PG* settings.
        info.Environment["LC_ALL"] = "C";
        foreach (var variable in new[] { "PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD" })
            info.Environment.Remove(variable);
        return info;
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, bool asPostgres, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = StartInfo(fileName, arguments, asPostgres) };
        var commandLine = string.Join(' ', process.StartInfo.ArgumentList.Prepend(process.StartInfo.FileName));
        try
        {
            process.Start();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"Could not run '{commandLine}': {e.Message}", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"'{commandLine}' did not finish within {CommandTimeout.TotalSeconds:0} s.");
        }
        var (output, error) = (await stdout, await stderr);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{commandLine}' failed with exit code {process.ExitCode}.{Environment.NewLine}{error}{Environment.NewLine}{output}".TrimEnd());
        }
    }

    private static string? FindBinDirectory()
    {
        const string installRoot = "/usr/lib/postgresql";
        if (Directory.Exists(installRoot))
        {
            var newest = Directory.EnumerateDirectories(installRoot)
                .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: ParseVersion(Path.GetFileName(dir))))
                .Where(c => c.Version is not null && HasServerBinaries(c.Dir))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Dir)
                .FirstOrDefault();
            if (newest is not null) return newest;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(dir, "initdb");
            if (!File.Exists(initdb)) continue;
            // Follow a symlink (e.g. /usr/local/bin/initdb) to the directory that also holds postgres and pg_ctl.
            var target = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
            var binDir = Path.GetDirectoryName(target);
            if (binDir is not null && HasServerBinaries(binDir)) return binDir;
            if (HasServerBinaries(dir)) return dir;
        }
        return null;
    }

    private static bool HasServerBinaries(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "postgres")) && File.Exists(Path.Combine(dir, "pg_ctl"));

    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.') ? name : name + ".0", out var version) ? version : null;

    private static int FindFreePort()
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
