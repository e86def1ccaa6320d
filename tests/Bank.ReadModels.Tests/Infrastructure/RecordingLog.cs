using System.Collections.Concurrent;
using Akka.Event;

namespace Bank.ReadModels.Tests.Infrastructure;

/// <summary>An Akka logging adapter that keeps every line (formatted), for assertions on what a projection logged.</summary>
public sealed class RecordingLog() : LoggingAdapterBase(DefaultLogMessageFormatter.Instance)
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();

    public IEnumerable<string> Warnings => _lines.Where(l => l.Level >= LogLevel.WarningLevel).Select(l => l.Message);

    public IEnumerable<string> Infos => _lines.Where(l => l.Level == LogLevel.InfoLevel).Select(l => l.Message);

    public IEnumerable<string> All => _lines.Select(l => $"{l.Level}: {l.Message}");

    public override bool IsDebugEnabled => true;
    public override bool IsInfoEnabled => true;
    public override bool IsWarningEnabled => true;
    public override bool IsErrorEnabled => true;

    protected override void NotifyLog(LogLevel logLevel, object message, Exception? cause = null) =>
        _lines.Enqueue((logLevel, message.ToString() + (cause is null ? "" : " | " + cause.GetType().Name + ": " + cause.Message)));
}
