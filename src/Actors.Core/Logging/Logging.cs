namespace Actors.Core.Logging;

public enum ActorLogLevel { Debug, Info, Warning, Error }

/// <summary>Where the runtime's log lines go. The hosting layer plugs Microsoft.Extensions.Logging in here.</summary>
public interface ILogSink
{
    bool IsEnabled(ActorLogLevel level);
    void Log(ActorLogLevel level, string source, string message, Exception? exception);
}

/// <summary>Writes warnings and errors to standard error: enough for a system with nothing configured.</summary>
public sealed class ConsoleLogSink(ActorLogLevel minimum = ActorLogLevel.Warning) : ILogSink
{
    public bool IsEnabled(ActorLogLevel level) => level >= minimum;

    public void Log(ActorLogLevel level, string source, string message, Exception? exception)
    {
        if (!IsEnabled(level)) return;
        Console.Error.WriteLine(exception is null
            ? $"[{level}] [{source}] {message}"
            : $"[{level}] [{source}] {message}{Environment.NewLine}{exception}");
    }
}

public interface ILoggingAdapter
{
    bool IsEnabled(ActorLogLevel level);
    void Debug(string message);
    void Info(string message);
    void Warning(string message, Exception? exception = null);
    void Error(Exception? exception, string message);
}

internal sealed class LoggingAdapter(ILogSink sink, string source) : ILoggingAdapter
{
    public bool IsEnabled(ActorLogLevel level) => sink.IsEnabled(level);
    public void Debug(string message) { if (sink.IsEnabled(ActorLogLevel.Debug)) sink.Log(ActorLogLevel.Debug, source, message, null); }
    public void Info(string message) { if (sink.IsEnabled(ActorLogLevel.Info)) sink.Log(ActorLogLevel.Info, source, message, null); }
    public void Warning(string message, Exception? exception = null) { if (sink.IsEnabled(ActorLogLevel.Warning)) sink.Log(ActorLogLevel.Warning, source, message, exception); }
    public void Error(Exception? exception, string message) { if (sink.IsEnabled(ActorLogLevel.Error)) sink.Log(ActorLogLevel.Error, source, message, exception); }
}
