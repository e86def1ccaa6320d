using System.Diagnostics;
using System.Net;
using System.Text;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>
/// The built host (Bank.Host.dll from this build's output) as a process of its own, started with <c>dotnet</c>, on a
/// free loopback port (<c>--urls http://127.0.0.1:0</c>, the port read from its log), configured by environment variables
/// only, as an operator would (with the tests' signing key, <see cref="TestTokens"/>). <see cref="Kill"/> is SIGKILL on Linux: no shutdown code runs.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "Now listening on: ";

    private readonly Process _process;
    private readonly StringBuilder _output;

    private HostProcess(Process process, StringBuilder output, Uri address)
    {
        _process = process;
        _output = output;
        Address = address;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) }.As(TestTokens.Staff);
    }

    public static string HostDll { get; } = Path.Combine(AppContext.BaseDirectory, "Bank.Host.dll");

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>What the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Starts the host in <paramref name="workingDirectory"/> and waits until it is ready (GET /health/ready is 200).</summary>
    public static async Task<HostProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string workingDirectory, TimeSpan timeout)
    {
        Directory.CreateDirectory(workingDirectory);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { HostDll, "--urls", "http://127.0.0.1:0", "--bank-hocon", """bank.logging { Default = Warning, "Microsoft.Hosting.Lifetime" = Information }""" })
            start.ArgumentList.Add(argument);
        // The tests' key and limits (TestTokens) unless the scenario sets them itself; its Client sends the staff token.
        foreach (var (name, value) in TestTokens.Environment) start.Environment[name] = value;
        foreach (var (name, value) in environment) start.Environment[name] = value;

        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void Append(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            var at = line.IndexOf(ListeningPrefix, StringComparison.Ordinal);
            if (at >= 0) listening.TrySetResult(new Uri(line[(at + ListeningPrefix.Length)..].Trim()));
        }
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The host exited before it listened."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        HostProcess? host = null;
        try
        {
            var address = await listening.Task.WaitAsync(timeout);
            host = new HostProcess(process, output, address);
            var deadline = DateTime.UtcNow + timeout;
            while (!await host.IsReadyAsync())
            {
                if (DateTime.UtcNow > deadline || process.HasExited) throw new TimeoutException("The host did not become ready.");
                await Task.Delay(100);
            }
            return host;
        }
        catch (Exception e)
        {
            string text;
            lock (output) text = output.ToString();
            if (host is not null) await host.DisposeAsync();
            else if (!process.HasExited) process.Kill();
            throw new InvalidOperationException($"The host process did not start ({e.Message}). Its output:\n{text}", e);
        }
    }

    /// <summary>SIGKILL, then waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await Client.GetAsync("/health/ready");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
