using Actors.Core.Logging;

namespace Actors.Core;

public sealed record ActorSystemSettings
{
    /// <summary>How many messages an actor handles per turn on a thread before it yields the thread to others.</summary>
    public int Throughput { get; init; } = 100;

    /// <summary>The timeout of an Ask that names none.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public ILogSink LogSink { get; init; } = new ConsoleLogSink();

    /// <summary>At most this many dead letters are logged per <see cref="DeadLetterLogInterval"/>; the rest are counted.</summary>
    public int DeadLetterLogLimit { get; init; } = 10;

    public TimeSpan DeadLetterLogInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Buckets of the receive-timeout wheel (one round is this many 10 ms ticks); small only in tests of long timeouts.</summary>
    internal int ReceiveTimeoutWheelSize { get; init; } = ReceiveTimeoutWheel.DefaultWheelSize;

    public static ActorSystemSettings Default { get; } = new();
}
