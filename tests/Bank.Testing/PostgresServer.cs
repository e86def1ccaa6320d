using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Bank.Testing;

/// <summary>
/// A PostgreSQL server for tests, shared as an xunit collection fixture. When the environment variable
/// <c>ACTORS_POSTGRES</c> holds a connection string, that server is used. Otherwise a throwaway server is created
/// from the installed binaries (newest <c>/usr/lib/postgresql/*/bin</c>, else <c>initdb</c> on the PATH) in a temp
/// directory, on a free loopback port, and removed again on dispose. If neither works, initialization throws with
/// the reason: PostgreSQL tests fail, they are never skipped.
/// </summary>
/// <remarks>
/// xunit collection definitions must live in the test assembly; declare there:
/// <code>
/// [CollectionDefinition(PostgresCollection.Name)]
/// public sealed class PostgresCollection : ICollectionFixture&lt;PostgresServer&gt; { public const string Name = "postgres"; }
/// </code>
/// </remarks>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "ACTORS_POSTGRES";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private const int MaxCapturedChars = 16_000;

    private readonly SemaphoreSlim _createDatabase = new(1, 1);
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _namedDatabases = new(StringComparer.Ordinal);
    private readonly List<string> _createdDatabases = [];
    private readonly StringBuilder _serverOutput = new();

    private string? _connectionString;
    private string? _binDirectory;
    private string? _rootDirectory;
    private Process? _server;
    private bool _runAsPostgresUser;

    /// <summary>The connection string to the server's <c>postgres</c> database.</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The PostgreSQL server has not been started.");

    /// <summary>True when the fixture started (and owns) the server; false when it uses <c>ACTORS_POSTGRES</c>.</summary>
    public bool IsThrowaway => _server is not null;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            _connectionString = external;
            await WaitUntilAcceptingAsync(process: null);
            return;
        }

        _binDirectory = FindBinDirectory() ?? throw new InvalidOperationException(
            $"No PostgreSQL server for the tests: {EnvironmentVariable} is not set and no initdb/postgres binaries were found " +
            "in /usr/lib/postgresql/*/bin or on the PATH. Install the 'postgresql' package or set " +
            $"{EnvironmentVariable} to a connection string (e.g. \"Host=localhost;Username=postgres;Password=...\").");
        _runAsPostgresUser = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);

        try
        {
            await CreateClusterAsync();
            await StartServerAsync();
        }
        catch
        {
            await StopServerAsync();
            throw;
        }
    }

    /// <summary>Creates a fresh, empty database with a unique name; returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"actors_test_{Guid.NewGuid():N}";
        await _createDatabase.WaitAsync();
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
            lock (_createdDatabases) _createdDatabases.Add(name);
        }
        finally
        {
            _createDatabase.Release();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// The database created for <paramref name="key"/> (e.g. a test class name): created on first use, then the
    /// same one for every caller with that key. For "fresh database per test class" with per-test class instances.
    /// </summary>
    public Task<string> GetOrCreateDatabaseAsync(string key) =>
        _namedDatabases.GetOrAdd(key, _ => new Lazy<Task<string>>(CreateDatabaseAsync)).Value;

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is null)
        {
            await DropCreatedDatabasesAsync();
            return;
        }
        await StopServerAsync();
    }

    // ------------------------------------------------------------------ throwaway server

    private async Task CreateClusterAsync()
    {
        // The postgres OS user must be able to reach the directory, so when running as root use /tmp itself.
        var tempRoot = _runAsPostgresUser && Directory.Exists("/tmp") ? "/tmp" : Path.GetTempPath();
        _rootDirectory = Path.Combine(tempRoot, $"actors-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_rootDirectory);
        if (_runAsPostgresUser) await RunAsync("chown", ["-R", "postgres:postgres", _rootDirectory], asPostgres: false);

        await RunAsync(Path.Combine(_binDirectory!, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
            asPostgres: _runAsPostgresUser);
    }

    private string DataDirectory => Path.Combine(_rootDirectory!, "data");

    private async Task StartServerAsync()
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var port = FindFreePort();
            var process = StartServerProcess(port);
            _server = process;
            _connectionString = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = "postgres",
                Database = "postgres",
                Timeout = 15,
                MaxPoolSize = 50,
            }.ConnectionString;

            try
            {
                await WaitUntilAcceptingAsync(process);
                return;
            }
            catch (Exception) when (attempt < attempts && process.HasExited && ServerOutput().Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                // Someone took the port between probing and binding: try another one.
                process.Dispose();
                _server = null;
                lock (_serverOutput) _serverOutput.Clear();
            }
        }
    }

    private Process StartServerProcess(int port)
    {
        string[] arguments =
        [
            "-D", DataDirectory,
            "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-k", _rootDirectory!,
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
            "-c", "max_connections=200",
        ];
        var process = new Process { StartInfo = StartInfo(Path.Combine(_binDirectory!, "postgres"), arguments, _runAsPostgresUser) };
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
        lock (_serverOutput)
        {
            _serverOutput.AppendLine(line);
            if (_serverOutput.Length > MaxCapturedChars) _serverOutput.Remove(0, _serverOutput.Length - MaxCapturedChars);
        }
    }

    private string ServerOutput()
    {
        lock (_serverOutput) return _serverOutput.ToString();
    }

    private async Task WaitUntilAcceptingAsync(Process? process)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < StartTimeout)
        {
            if (process is { HasExited: true })
            {
                await process.WaitForExitAsync(); // flushes the captured output
                throw new InvalidOperationException(
                    $"PostgreSQL exited with code {process.ExitCode} before accepting connections.{Environment.NewLine}{ServerOutput()}");
            }
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState != PostgresErrorCodes.CannotConnectNow)
            {
                // The server answered with a real error (bad password, unknown database...): waiting will not help.
                throw new InvalidOperationException($"PostgreSQL refused the connection: {e.Message}{Environment.NewLine}{ServerOutput()}", e);
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException)
            {
                last = e;
                NpgsqlConnection.ClearAllPools();
            }
            await Task.Delay(100);
        }
        var where = process is null ? $"the server in {EnvironmentVariable}" : "the throwaway PostgreSQL server";
        throw new InvalidOperationException(
            $"Could not connect to {where} within {StartTimeout.TotalSeconds:0} s: {last?.Message}{Environment.NewLine}{ServerOutput()}", last);
    }

    private async Task StopServerAsync()
    {
        var process = _server;
        _server = null;
        try
        {
            if (process is not null)
            {
                if (!process.HasExited && _binDirectory is not null && _rootDirectory is not null)
                {
                    try
                    {
                        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30"],
                            asPostgres: _runAsPostgresUser);
                    }
                    catch (Exception)
                    {
                        // Fall through to killing it.
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
            if (_rootDirectory is not null && Directory.Exists(_rootDirectory))
            {
                try
                {
                    Directory.Delete(_rootDirectory, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A leftover temp directory must not fail the test run.
                }
            }
        }
    }

    private async Task DropCreatedDatabasesAsync()
    {
        string[] names;
        lock (_createdDatabases) names = [.. _createdDatabases];
        if (names.Length == 0 || _connectionString is null) return;
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            foreach (var name in names)
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
            }
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException)
        {
            // Best effort on a server we do not own.
        }
    }

    // ------------------------------------------------------------------ processes and binaries

    private static ProcessStartInfo StartInfo(string fileName, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var info = new ProcessStartInfo
        {
            FileName = asPostgres ? "runuser" : fileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add("postgres");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(fileName);
        }
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // The server's messages in English whatever the machine's locale, and no inherited PG* settings.
        info.Environment["LC_ALL"] = "C";
        foreach (var variable in new[] { "PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD" })
            info.Environment.Remove(variable);
        return info;
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, bool asPostgres)
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

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
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
