using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Bank.Host.Tests.Infrastructure;

/// <summary>
/// The built host (Bank.Host.dll from this build's output) as a process of its own, started with <c>dotnet</c>, on a
/// free loopback port (<c>--urls http://127.0.0.1:0</c>, the port read from its log), configured by environment variables
/// only, as an operator would (with the tests' signing key, <see cref="TestTokens"/>). <see cref="KillAsync"/> is SIGKILL on
/// Linux: no shutdown code runs; <see cref="StopAsync"/> is SIGTERM (the host's graceful shutdown), <see cref="Pause"/> and
/// <see cref="Resume"/> are SIGSTOP and SIGCONT.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;

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

    /// <summary>The process id (of <c>dotnet</c>, which runs the host in its own process).</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

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

    /// <summary>SIGTERM (the host's graceful shutdown), then waits until the process is gone; returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        Signal(SigTerm);
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The host did not exit within {timeout.TotalSeconds:0} s of SIGTERM. Its output:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>Waits until the process exits on its own (false after <paramref name="timeout"/>).</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGSTOP: the process is frozen, every thread of it, until <see cref="Resume"/>.</summary>
    public void Pause() => Signal(SigStop);

    /// <summary>SIGCONT.</summary>
    public void Resume() => Signal(SigCont);

    private void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastWin32Error()}.");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            Kill(_process.Id, SigCont); // a paused process is killed all the same, but let it not linger stopped
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
        catch (Exception e) when (NoAnswer.Is(e))
        {
            return false;
        }
    }
}
