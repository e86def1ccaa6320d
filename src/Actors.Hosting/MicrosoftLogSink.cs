using Actors.Core.Logging;
using Microsoft.Extensions.Logging;

namespace Actors.Hosting;

/// <summary>Sends the runtime's log lines to Microsoft.Extensions.Logging, one category per source kind.</summary>
internal sealed class MicrosoftLogSink(ILoggerFactory loggerFactory) : ILogSink
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Actors");

    public bool IsEnabled(ActorLogLevel level) => _logger.IsEnabled(Map(level));

    public void Log(ActorLogLevel level, string source, string message, Exception? exception)
    {
#pragma warning disable CA2254 // the runtime hands over finished sentences
        _logger.Log(Map(level), exception, "[{Source}] {Message}", source, message);
#pragma warning restore CA2254
    }

    private static LogLevel Map(ActorLogLevel level) => level switch
    {
        ActorLogLevel.Debug => LogLevel.Debug,
        ActorLogLevel.Info => LogLevel.Information,
        ActorLogLevel.Warning => LogLevel.Warning,
        ActorLogLevel.Error => LogLevel.Error,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown log level."),
    };
}
