using Actors.Core.Logging;
using Xunit.Abstractions;

namespace Actors.TestKit;

/// <summary>Writes the actor system's log to xunit's test output (shown with the test's result).</summary>
public sealed class TestOutputLogSink(ITestOutputHelper output, ActorLogLevel minimum = ActorLogLevel.Warning) : ILogSink
{
    public bool IsEnabled(ActorLogLevel level) => level >= minimum;

    public void Log(ActorLogLevel level, string source, string message, Exception? exception)
    {
        if (!IsEnabled(level)) return;
        var line = exception is null
            ? $"[{DateTime.UtcNow:HH:mm:ss.fff}] [{level}] [{source}] {message}"
            : $"[{DateTime.UtcNow:HH:mm:ss.fff}] [{level}] [{source}] {message}{Environment.NewLine}{exception}";
        try { output.WriteLine(line); }
        catch (InvalidOperationException) { /* logged after the test finished: nowhere to write */ }
    }
}
