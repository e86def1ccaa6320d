using Actors.Core;
using Actors.TestKit.Internal;
using Xunit;
using Xunit.Abstractions;

namespace Actors.TestKit;

/// <summary>
/// The base class of actor tests (xunit): each test gets its own <see cref="ActorSystem"/> (<see cref="TestKitBase.Sys"/>,
/// with a unique name) and a <see cref="TestKitBase.TestActor"/> whose messages the <c>Expect...Async</c> methods read.
/// The system is terminated, without blocking, when xunit disposes the test class (<see cref="IAsyncLifetime"/>).
/// <para>
/// Only asynchronous expectations exist (<c>await ExpectMsgAsync&lt;T&gt;()</c>): the project forbids blocking waits.
/// Override <see cref="TestKitSettings"/> (or pass settings to the constructor) to change the timeouts.
/// </para>
/// <example><code>
/// public sealed class EchoTests(ITestOutputHelper output) : TestKit(output)
/// {
///     [Fact]
///     public async Task Echoes()
///     {
///         var echo = ActorOf&lt;EchoActor&gt;();
///         echo.Tell("hi", TestActor);
///         await ExpectMsgAsync("hi");
///     }
/// }
/// </code></example>
/// </summary>
public abstract class TestKit : TestKitBase, IAsyncLifetime
{
    private static int s_systems;
    private readonly TestKitSettings _settings;
    private readonly ITestOutputHelper? _output;

    protected TestKit() : this(null, null, null, null) { }

    protected TestKit(ITestOutputHelper output) : this(null, null, output, null) { }

    /// <param name="systemSettings">Settings of the test's actor system; its log sink is replaced by one writing to <paramref name="output"/> when that is given and the settings name no sink of their own.</param>
    /// <param name="settings">Timeouts of the kit; by default <see cref="TestKitSettings.Default"/>.</param>
    /// <param name="output">Where the system's log goes (warnings and errors), so a failing test shows it.</param>
    /// <param name="systemName">The system's name; by default the test class name and a number, unique in the process.</param>
    protected TestKit(ActorSystemSettings? systemSettings, TestKitSettings? settings = null, ITestOutputHelper? output = null, string? systemName = null)
    {
        _settings = settings ?? TestKitSettings.Default;
        _output = output;
        var actorSettings = systemSettings ?? ActorSystemSettings.Default;
        if (output is not null && (systemSettings is null || systemSettings.LogSink is Core.Logging.ConsoleLogSink))
            actorSettings = actorSettings with { LogSink = new TestOutputLogSink(output) };
        var name = systemName ?? $"{SafeName(GetType().Name)}-{Interlocked.Increment(ref s_systems)}";
        var system = ActorSystem.Create(name, actorSettings);
        var shared = new TestKitShared(system, () => _settings);
        InitializeKit(shared, "testActor");
        shared.Settings = () => TestKitSettings; // the most derived override
    }

    /// <summary>The timeouts in force for this kit and its probes. Override to change them for a test class.</summary>
    public override TestKitSettings TestKitSettings => _settings;

    /// <summary>Nothing to do: the system is made by the constructor. Override for async set-up (call the base).</summary>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>
    /// Terminates the system and waits (asynchronously) at most <see cref="TestKitSettings.ShutdownTimeout"/> for it.
    /// A system that does not stop in time fails the test only with <see cref="TestKitSettings.VerifySystemShutdown"/>.
    /// </summary>
    public virtual async Task DisposeAsync()
    {
        var limit = Dilated(TestKitSettings.ShutdownTimeout);
        try
        {
            await Sys.Terminate().WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var message = $"The actor system {Sys.Name} did not terminate within {MessageText.Ms(limit)}.";
            if (TestKitSettings.VerifySystemShutdown) throw new TestKitAssertionException(message);
            TryWriteOutput(message);
        }
    }

    private void TryWriteOutput(string line)
    {
        try { _output?.WriteLine(line); }
        catch (InvalidOperationException) { /* the test has finished: no output any more */ }
    }

    private static string SafeName(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray();
        return chars.Length == 0 ? "test" : new string(chars);
    }
}
