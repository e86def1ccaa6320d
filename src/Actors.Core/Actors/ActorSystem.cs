using System.Collections.Concurrent;
using Actors.Core.Logging;

namespace Actors.Core;

/// <summary>
/// A tree of actors: /user holds the application's actors, /system the runtime's own. Stopping the system
/// stops children before their parents, user actors before system actors.
/// </summary>
public sealed class ActorSystem : IActorRefFactory, IAsyncDisposable
{
    private readonly ActorCell _root;
    private readonly ActorCell _user;
    private readonly ActorCell _systemGuardian;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<Type, object> _extensions = new();
    private readonly DeadLetterLog _deadLetterLog;
    private long _deadLetters;
    private int _terminateRequested;
    private long _unhandled;

    private ActorSystem(string name, ActorSystemSettings settings)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"System name '{name}' must be letters, digits, '-' or '_'.", nameof(name));
        Name = name;
        Settings = settings;
        Throughput = Math.Max(1, settings.Throughput);
        LogSink = settings.LogSink;
        Log = new LoggingAdapter(LogSink, $"actors://{name}");
        _deadLetterLog = new DeadLetterLog(this);
        ReceiveTimeouts = new ReceiveTimeoutWheel(settings.ReceiveTimeoutWheelSize);
        DeadLetters = new DeadLetterRef(this, ActorPath.Root(name).Child("deadLetters"));

        _root = new ActorCell(this, null, Props.Create(() => new RootGuardian()), ActorPath.Root(name));
        _user = _root.CreateChild(Props.Create(() => new GuardianActor()), "user");
        _systemGuardian = _root.CreateChild(Props.Create(() => new GuardianActor()), "system");
        _root.Start();
    }

    public static ActorSystem Create(string name, ActorSystemSettings? settings = null) => new(name, settings ?? ActorSystemSettings.Default);

    public string Name { get; }
    public ActorSystemSettings Settings { get; }
    internal int Throughput { get; }
    public ILogSink LogSink { get; }
    public ILoggingAdapter Log { get; }
    public EventStream EventStream { get; } = new();
    public ActorScheduler Scheduler { get; } = new();

    /// <summary>The receive timeouts of all actors of this system: one timer wheel instead of a timer per actor.</summary>
    internal ReceiveTimeoutWheel ReceiveTimeouts { get; }

    /// <summary>Where messages to stopped actors go: counted, published on the event stream and logged (rate-limited).</summary>
    public IActorRef DeadLetters { get; }

    public long DeadLetterCount => Interlocked.Read(ref _deadLetters);
    public long UnhandledCount => Interlocked.Read(ref _unhandled);

    public Task WhenTerminated => _terminated.Task;

    /// <summary>Creates a top-level actor under /user.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => _user.CreateChild(props, name);

    /// <summary>Creates an actor of the runtime's own under /system.</summary>
    public IActorRef SystemActorOf(Props props, string? name = null) => _systemGuardian.CreateChild(props, name);

    public void Stop(IActorRef actor)
    {
        if (actor is ActorCell cell) cell.SendSystem(new Terminate());
    }

    /// <summary>Completes when <paramref name="actor"/> has stopped.</summary>
    public Task WhenActorTerminated(IActorRef actor) =>
        actor is ActorCell cell ? cell.WhenTerminated() : Task.CompletedTask;

    /// <summary>Stops every actor, children before parents, and completes when all have stopped.</summary>
    public Task Terminate()
    {
        if (Interlocked.Exchange(ref _terminateRequested, 1) == 0) _root.Tell(RootGuardian.StopSystem.Instance, null);
        return WhenTerminated;
    }

    public async ValueTask DisposeAsync() => await Terminate().ConfigureAwait(false);

    /// <summary>One instance per system of a service (journal registry, sharding, ...), made on first use.</summary>
    public T GetExtension<T>(Func<ActorSystem, T> factory) where T : class =>
        (T)_extensions.GetOrAdd(typeof(T), static (_, state) => state.factory(state.system), (factory, system: this));

    public bool TryGetExtension<T>(out T? extension) where T : class
    {
        var found = _extensions.TryGetValue(typeof(T), out var value);
        extension = value as T;
        return found;
    }

    public void RegisterExtension<T>(T extension) where T : class
    {
        if (!_extensions.TryAdd(typeof(T), extension))
            throw new InvalidOperationException($"An extension of type {typeof(T).Name} is already registered.");
    }

    internal void OnRootTerminated()
    {
        ReceiveTimeouts.Dispose(); // every actor has stopped: nothing is left to time
        _terminated.TrySetResult();
    }

    internal void PublishDeadLetter(DeadLetter deadLetter)
    {
        if (deadLetter.Message is IRuntimeMessage) return;
        Interlocked.Increment(ref _deadLetters);
        EventStream.Publish(deadLetter);
        _deadLetterLog.Record(deadLetter);
    }

    internal void PublishUnhandled(UnhandledMessage unhandled)
    {
        Interlocked.Increment(ref _unhandled);
        EventStream.Publish(unhandled);
        if (LogSink.IsEnabled(ActorLogLevel.Debug))
            LogSink.Log(ActorLogLevel.Debug, unhandled.Recipient.Path.ToString(), $"Unhandled message {unhandled.Message.GetType().Name}.", null);
    }

    public override string ToString() => $"ActorSystem({Name})";

    private sealed class DeadLetterRef(ActorSystem system, ActorPath path) : IActorRef
    {
        public ActorPath Path { get; } = path;

        public void Tell(object message, IActorRef? sender)
        {
            if (message is DeadLetter deadLetter) system.PublishDeadLetter(deadLetter);
            else system.PublishDeadLetter(new DeadLetter(message, sender, this));
        }

        public override string ToString() => Path.ToString();
    }
}
