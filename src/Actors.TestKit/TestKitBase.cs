using System.Threading.Channels;
using Actors.Core;
using Actors.TestKit.Internal;

namespace Actors.TestKit;

/// <summary>
/// The expectations shared by <see cref="TestKit"/> (on its <see cref="TestActor"/>) and <see cref="TestProbe"/> (on its own actor).
/// <para>
/// Every wait is asynchronous: there are only <c>...Async</c> methods, no blocking <c>ExpectMsg</c>. A timeout a test does
/// not name is <see cref="TestKitSettings.DefaultTimeout"/>; every timeout is dilated by <see cref="TestKitSettings.TimeFactor"/>,
/// and inside <see cref="WithinAsync(TimeSpan, TimeSpan, Func{Task})"/> no expectation waits past the block's deadline.
/// A failed expectation throws <see cref="TestKitAssertionException"/> telling what arrived instead.
/// </para>
/// <para>One probe's messages are consumed by the expectations in turn: do not await two expectations of the same probe at once.</para>
/// </summary>
public abstract class TestKitBase
{
    private TestKitShared? _shared;
    private Channel<Envelope>? _queue;
    private IActorRef? _testActor;
    private Envelope? _last;

    private protected TestKitBase() { }

    /// <summary>Creates the probe actor (under /system, so it outlives the user actors at shutdown) and its queue.</summary>
    private protected void InitializeKit(TestKitShared shared, string actorName)
    {
        _shared = shared;
        _queue = Channel.CreateUnbounded<Envelope>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
        var writer = _queue.Writer;
        _testActor = shared.System.SystemActorOf(Props.Create(() => new ProbeActor(writer)), actorName);
    }

    private protected TestKitShared Shared => _shared ?? throw new InvalidOperationException("The test kit is not initialized.");

    private ChannelReader<Envelope> Queue => (_queue ?? throw new InvalidOperationException("The test kit is not initialized.")).Reader;

    /// <summary>The actor system of the test.</summary>
    public ActorSystem Sys => Shared.System;

    /// <summary>The timeouts in force (the owning <see cref="TestKit"/>'s, also for its probes).</summary>
    public virtual TestKitSettings TestKitSettings => Shared.Settings();

    /// <summary>The actor whose messages the expectations of this kit or probe read. Send replies here.</summary>
    public IActorRef TestActor => _testActor ?? throw new InvalidOperationException("The test kit is not initialized.");

    /// <summary>The sender of the last message an expectation took (the system's dead letters when it had none).</summary>
    /// <exception cref="InvalidOperationException">No message has been received yet.</exception>
    public IActorRef LastSender => (_last ?? throw new InvalidOperationException("No message has been received yet, so there is no last sender.")).Sender;

    /// <summary>The last message an expectation took.</summary>
    public object LastMessage => (_last ?? throw new InvalidOperationException("No message has been received yet.")).Message;

    /// <summary>Whether messages are waiting to be taken by an expectation.</summary>
    public bool HasMessages => Queue.Count > 0;

    /// <summary>How many messages are waiting to be taken by an expectation.</summary>
    public int MessageCount => Queue.Count;

    // ---- time ----

    /// <summary><paramref name="duration"/> scaled by <see cref="TestKitSettings.TimeFactor"/>.</summary>
    public TimeSpan Dilated(TimeSpan duration) => TestKitSettings.Dilated(duration);

    /// <summary>The time left until the deadline of the enclosing <c>WithinAsync</c> block.</summary>
    /// <exception cref="InvalidOperationException">Not inside a <c>WithinAsync</c> block.</exception>
    public TimeSpan Remaining => Shared.Within.Value is { } scope
        ? Positive(scope.Deadline - TestKitShared.Now)
        : throw new InvalidOperationException("Remaining is defined only inside a WithinAsync block.");

    /// <summary>The time left in the enclosing <c>WithinAsync</c> block, or the dilated default timeout outside of one.</summary>
    public TimeSpan RemainingOrDefault => Shared.Within.Value is { } scope
        ? Positive(scope.Deadline - TestKitShared.Now)
        : Dilated(TestKitSettings.DefaultTimeout);

    /// <summary>The dilated <paramref name="timeout"/> (or the default), cut to what is left of an enclosing <c>WithinAsync</c> block.</summary>
    public TimeSpan RemainingOrDilated(TimeSpan? timeout)
    {
        if (timeout is null) return RemainingOrDefault;
        if (timeout.Value < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A timeout must be finite and not negative.");
        var dilated = Dilated(timeout.Value);
        return Shared.Within.Value is { } scope ? Min(dilated, Positive(scope.Deadline - TestKitShared.Now)) : dilated;
    }

    // ---- sending ----

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with this kit's <see cref="TestActor"/> as the sender.</summary>
    public void Send(IActorRef target, object message) => target.Tell(message, TestActor);

    /// <summary>Answers the sender of the last message, with this kit's <see cref="TestActor"/> as the sender.</summary>
    public void Reply(object message) => LastSender.Tell(message, TestActor);

    /// <summary>Sends <paramref name="message"/> (by default the last message received) to <paramref name="target"/>, keeping its original sender.</summary>
    public void Forward(IActorRef target, object? message = null) => target.Tell(message ?? LastMessage, LastSender);

    // ---- actors ----

    /// <summary>Creates a top-level actor in <see cref="Sys"/>.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => Sys.ActorOf(props, name);

    public IActorRef ActorOf<TActor>(string? name = null) where TActor : ActorBase, new() => Sys.ActorOf(Props.Create<TActor>(), name);

    public IActorRef ActorOf<TActor>(Func<TActor> factory, string? name = null) where TActor : ActorBase => Sys.ActorOf(Props.Create(factory), name);

    /// <summary>A new probe in the same system, sharing this kit's settings and WithinAsync deadlines.</summary>
    /// <param name="name">The name of the probe's actor (under /system); by default <c>testProbe-N</c>.</param>
    public TestProbe CreateTestProbe(string? name = null) => new(Shared, name ?? $"testProbe-{Shared.NextProbeNumber()}");

    /// <summary>
    /// Makes <see cref="TestActor"/> watch <paramref name="actor"/>: its <see cref="Terminated"/> will arrive as a message
    /// (also when the actor is already dead). The request travels through the probe's mailbox, so it takes effect before
    /// anything sent to the probe later.
    /// </summary>
    public IActorRef Watch(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        TestActor.Tell(new WatchRequest(actor, true), null);
        return actor;
    }

    /// <summary>Stops watching <paramref name="actor"/>; a <see cref="Terminated"/> not yet taken from the mailbox is dropped.</summary>
    public IActorRef Unwatch(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        TestActor.Tell(new WatchRequest(actor, false), null);
        return actor;
    }

    /// <summary>Subscribes <see cref="TestActor"/> to events of <typeparamref name="TEvent"/> (and subtypes) on the system's event stream.</summary>
    public void Subscribe<TEvent>() => Subscribe(typeof(TEvent));

    public void Subscribe(Type channel) => Sys.EventStream.Subscribe(TestActor, channel);

    /// <summary>Ends the subscription of <see cref="TestActor"/> to <paramref name="channel"/> (all of them when null).</summary>
    public void Unsubscribe(Type? channel = null) => Sys.EventStream.Unsubscribe(TestActor, channel);

    // ---- receiving ----

    /// <summary>Takes the next message of this kit's queue, waiting at most <paramref name="timeout"/>; null on timeout.</summary>
    public async Task<object?> ReceiveOneAsync(TimeSpan? timeout = null)
    {
        var envelope = await TryReceiveAsync(RemainingOrDilated(timeout)).ConfigureAwait(false);
        MarkExpectation(noMessage: false);
        return envelope?.Message;
    }

    /// <summary>Takes the next <paramref name="count"/> messages, all within <paramref name="timeout"/> (together).</summary>
    public async Task<IReadOnlyList<object>> ReceiveNAsync(int count, TimeSpan? timeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var max = RemainingOrDilated(timeout);
        var deadline = TestKitShared.Now + max;
        var received = new List<Envelope>(count);
        while (received.Count < count)
        {
            var envelope = await TryReceiveAsync(Positive(deadline - TestKitShared.Now)).ConfigureAwait(false);
            if (envelope is null)
            {
                MarkExpectation(noMessage: false);
                throw new TestKitAssertionException(
                    $"Timeout ({MessageText.Ms(max)}) while waiting for {count} messages at {TestActor.Path}: received {MessageText.List(received)}.");
            }
            received.Add(envelope);
        }
        MarkExpectation(noMessage: false);
        return received.Select(e => e.Message).ToArray();
    }

    /// <summary>Takes the next message: it must be a <typeparamref name="T"/>.</summary>
    public Task<T> ExpectMsgAsync<T>(TimeSpan? timeout = null, string? hint = null) =>
        ExpectCoreAsync<T>(timeout, null, $"a message of type {MessageText.TypeName(typeof(T))}", hint);

    /// <summary>Takes the next message: it must be a <typeparamref name="T"/> for which <paramref name="isMessage"/> is true.</summary>
    public Task<T> ExpectMsgAsync<T>(Predicate<T> isMessage, TimeSpan? timeout = null, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(isMessage);
        return ExpectCoreAsync<T>(timeout, m => isMessage(m) ? null : "it does not match the predicate",
            $"a message of type {MessageText.TypeName(typeof(T))} matching the predicate", hint);
    }

    /// <summary>Takes the next message: it must be a <typeparamref name="T"/> that passes <paramref name="assert"/> (which throws when it does not).</summary>
    public Task<T> ExpectMsgAsync<T>(Action<T> assert, TimeSpan? timeout = null, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(assert);
        return ExpectCoreAsync<T>(timeout, m =>
        {
            assert(m);
            return null;
        }, $"a message of type {MessageText.TypeName(typeof(T))} passing the assertion", hint);
    }

    /// <summary>Takes the next message: it must equal <paramref name="expected"/> (<see cref="object.Equals(object?, object?)"/>).</summary>
    public Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return ExpectCoreAsync<T>(timeout, m => Equals(expected, m) ? null : "it is not equal to the expected one",
            $"the message {MessageText.Describe(expected)}", hint);
    }

    /// <summary>Takes the next message: it must be a <typeparamref name="T"/> sent by <paramref name="sender"/>.</summary>
    public async Task<T> ExpectMsgFromAsync<T>(IActorRef sender, Predicate<T>? isMessage = null, TimeSpan? timeout = null, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var message = await ExpectCoreAsync<T>(timeout, m => isMessage is null || isMessage(m) ? null : "it does not match the predicate",
            $"a message of type {MessageText.TypeName(typeof(T))} from {sender.Path}", hint).ConfigureAwait(false);
        if (!Equals(LastSender, sender))
            throw new TestKitAssertionException(
                $"Expected a message of type {MessageText.TypeName(typeof(T))} from {sender.Path}{MessageText.Hint(hint)} at {TestActor.Path}, but {MessageText.Describe(message)} came from {LastSender.Path}.");
        return message;
    }

    /// <summary>Takes the next message: it must equal one of <paramref name="expected"/>.</summary>
    public async Task<T> ExpectMsgAnyOfAsync<T>(IEnumerable<T> expected, TimeSpan? timeout = null)
    {
        var candidates = expected.ToArray();
        var text = $"one of [{string.Join(", ", candidates.Select(c => MessageText.Describe(c)))}]";
        return await ExpectCoreAsync<T>(timeout, m => candidates.Any(c => Equals(c, m)) ? null : $"it is not {text}", text, null)
            .ConfigureAwait(false);
    }

    /// <summary>Takes as many messages as <paramref name="expected"/> has; together they must equal them, in any order.</summary>
    public async Task<IReadOnlyList<T>> ExpectMsgAllOfAsync<T>(IEnumerable<T> expected, TimeSpan? timeout = null)
    {
        var missing = expected.Cast<object>().ToList();
        var count = missing.Count;
        var max = RemainingOrDilated(timeout);
        var deadline = TestKitShared.Now + max;
        var received = new List<Envelope>(count);
        while (missing.Count > 0)
        {
            var envelope = await TryReceiveAsync(Positive(deadline - TestKitShared.Now)).ConfigureAwait(false);
            MarkExpectation(noMessage: false);
            if (envelope is null)
            {
                throw new TestKitAssertionException(
                    $"Timeout ({MessageText.Ms(max)}) while waiting for {count} expected messages at {TestActor.Path}: still missing [{string.Join(", ", missing.Select(MessageText.Describe))}], received {MessageText.List(received)}.");
            }
            received.Add(envelope);
            var index = missing.FindIndex(m => Equals(m, envelope.Message));
            if (index < 0)
            {
                throw new TestKitAssertionException(
                    $"Received the unexpected message {MessageText.Describe(envelope)} at {TestActor.Path} while waiting for [{string.Join(", ", missing.Select(MessageText.Describe))}] (in any order).");
            }
            missing.RemoveAt(index);
        }
        return received.Select(e => (T)e.Message).ToArray();
    }

    /// <summary>Asserts that no message arrives for <paramref name="duration"/> (default <see cref="TestKitSettings.ExpectNoMessageDefault"/>).</summary>
    public async Task ExpectNoMsgAsync(TimeSpan? duration = null)
    {
        var max = duration is null
            ? Shared.Within.Value is null ? Dilated(TestKitSettings.ExpectNoMessageDefault) : Min(Dilated(TestKitSettings.ExpectNoMessageDefault), Remaining)
            : RemainingOrDilated(duration);
        var envelope = await TryReceiveAsync(max).ConfigureAwait(false);
        if (envelope is not null)
        {
            MarkExpectation(noMessage: false);
            throw new TestKitAssertionException(
                $"Expected no message at {TestActor.Path} for {MessageText.Ms(max)}, but received {MessageText.Describe(envelope)}.");
        }
        MarkExpectation(noMessage: true);
    }

    /// <summary>Watches <paramref name="actor"/> and takes the next message: it must be its <see cref="Terminated"/>.</summary>
    public Task<Terminated> ExpectTerminatedAsync(IActorRef actor, TimeSpan? timeout = null)
    {
        Watch(actor);
        return ExpectCoreAsync<Terminated>(timeout, t => Equals(t.ActorRef, actor) ? null : $"it is the Terminated of {t.ActorRef.Path}",
            $"Terminated of {actor.Path}", null);
    }

    /// <summary>Skips messages until one satisfies <paramref name="isMessage"/> and returns it; fails when none does within the timeout.</summary>
    public Task<object> FishForMessageAsync(Predicate<object> isMessage, TimeSpan? timeout = null, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(isMessage);
        return FishCoreAsync<object>(isMessage, timeout, hint ?? "a message matching the predicate");
    }

    /// <summary>Skips messages until a <typeparamref name="T"/> satisfies <paramref name="isMessage"/> (any <typeparamref name="T"/> when null) and returns it.</summary>
    public Task<T> FishForMessageAsync<T>(Predicate<T>? isMessage = null, TimeSpan? timeout = null, string? hint = null) =>
        FishCoreAsync(isMessage, timeout, hint ?? $"a message of type {MessageText.TypeName(typeof(T))}{(isMessage is null ? "" : " matching the predicate")}");

    // ---- waiting for conditions ----

    /// <summary>Runs <paramref name="assertion"/> until it no longer throws; fails with its last exception after <paramref name="duration"/>.</summary>
    public Task AwaitAssertAsync(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        return AwaitAssertAsync(() =>
        {
            assertion();
            return Task.CompletedTask;
        }, duration, interval);
    }

    /// <summary>Runs the asynchronous <paramref name="assertion"/> until it no longer throws; fails with its last exception after <paramref name="duration"/>.</summary>
    public async Task AwaitAssertAsync(Func<Task> assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var max = RemainingOrDilated(duration);
        var pause = PollInterval(interval);
        var start = TestKitShared.Now;
        var deadline = start + max;
        var attempts = 0;
        while (true)
        {
            attempts++;
            try
            {
                await assertion().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (TestKitShared.Now >= deadline)
            {
                throw new TestKitAssertionException(
                    $"The assertion still failed after {MessageText.Ms(TestKitShared.Now - start)} ({attempts} attempts, limit {MessageText.Ms(max)}): {e.Message}", e);
            }
            catch (Exception)
            {
                // not yet: try again after the pause
            }
            await Task.Delay(Min(pause, Positive(deadline - TestKitShared.Now))).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> is true, checking every <paramref name="interval"/>.</summary>
    public Task AwaitConditionAsync(Func<bool> condition, TimeSpan? max = null, TimeSpan? interval = null, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return AwaitConditionAsync(() => Task.FromResult(condition()), max, interval, message);
    }

    /// <summary>Waits until the asynchronous <paramref name="condition"/> is true, checking every <paramref name="interval"/>.</summary>
    public async Task AwaitConditionAsync(Func<Task<bool>> condition, TimeSpan? max = null, TimeSpan? interval = null, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = RemainingOrDilated(max);
        var pause = PollInterval(interval);
        var start = TestKitShared.Now;
        var deadline = start + limit;
        while (!await condition().ConfigureAwait(false))
        {
            if (TestKitShared.Now >= deadline)
            {
                throw new TestKitAssertionException(
                    $"The condition{(message is null ? "" : $" '{message}'")} was not met within {MessageText.Ms(limit)}.");
            }
            await Task.Delay(Min(pause, Positive(deadline - TestKitShared.Now))).ConfigureAwait(false);
        }
    }

    // ---- within ----

    /// <summary>Runs <paramref name="block"/>, which must finish within <paramref name="max"/> (dilated).</summary>
    public Task WithinAsync(TimeSpan max, Func<Task> block, string? hint = null) => WithinAsync(TimeSpan.Zero, max, block, hint);

    /// <summary>
    /// Runs <paramref name="block"/>, which must take at least <paramref name="min"/> and at most <paramref name="max"/> (dilated;
    /// never beyond an enclosing block's deadline). Expectations awaited inside wait no longer than the time left
    /// (<see cref="Remaining"/>). A block ending with <c>ExpectNoMsgAsync</c> may overrun the maximum slightly.
    /// </summary>
    public async Task WithinAsync(TimeSpan min, TimeSpan max, Func<Task> block, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(block);
        await WithinAsync<object?>(min, max, async () =>
        {
            await block().ConfigureAwait(false);
            return null;
        }, hint).ConfigureAwait(false);
    }

    public Task<T> WithinAsync<T>(TimeSpan max, Func<Task<T>> block, string? hint = null) => WithinAsync(TimeSpan.Zero, max, block, hint);

    public async Task<T> WithinAsync<T>(TimeSpan min, TimeSpan max, Func<Task<T>> block, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (min < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(min), min, "The minimum must not be negative.");
        if (max < min) throw new ArgumentOutOfRangeException(nameof(max), max, "The maximum must not be less than the minimum.");

        var start = TestKitShared.Now;
        var outer = Shared.Within.Value;
        var limit = Dilated(max);
        if (outer is not null) limit = Min(limit, Positive(outer.Deadline - start));
        var scope = new WithinScope(start + limit);

        T result;
        Shared.Within.Value = scope;
        try
        {
            result = await block().ConfigureAwait(false);
        }
        finally
        {
            Shared.Within.Value = outer;
        }

        var elapsed = TestKitShared.Now - start;
        if (elapsed < min)
        {
            throw new TestKitAssertionException(
                $"The block{MessageText.Hint(hint)} took {MessageText.Ms(elapsed)}, less than the required minimum of {MessageText.Ms(min)}.");
        }
        if (elapsed > limit && !scope.LastWasNoMsg)
        {
            throw new TestKitAssertionException(
                $"The block{MessageText.Hint(hint)} took {MessageText.Ms(elapsed)}, more than the maximum of {MessageText.Ms(limit)}{(limit != max ? $" (asked for {MessageText.Ms(max)}, dilated or cut to the enclosing block)" : "")}.");
        }
        return result;
    }

    // ---- event stream ----

    /// <summary>
    /// Runs <paramref name="action"/> and waits for <paramref name="count"/> events of <typeparamref name="TEvent"/> on the
    /// event stream (those <paramref name="match"/> accepts; others are ignored). A temporary probe listens from before the
    /// action runs until the events have arrived.
    /// </summary>
    public async Task<IReadOnlyList<TEvent>> ExpectEventsAsync<TEvent>(Func<Task> action, int count = 1, Predicate<TEvent>? match = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var listener = CreateTestProbe($"eventListener-{Shared.NextProbeNumber()}");
        listener.Subscribe<TEvent>();
        try
        {
            await action().ConfigureAwait(false);
            var max = RemainingOrDilated(timeout);
            var deadline = TestKitShared.Now + max;
            var found = new List<TEvent>(count);
            while (found.Count < count)
            {
                var envelope = await listener.TryReceiveAsync(Positive(deadline - TestKitShared.Now)).ConfigureAwait(false);
                if (envelope is null)
                {
                    throw new TestKitAssertionException(
                        $"Timeout ({MessageText.Ms(max)}) while waiting for {count} {MessageText.TypeName(typeof(TEvent))} events{(match is null ? "" : " matching the predicate")}: got {found.Count} [{string.Join(", ", found.Select(f => MessageText.Describe(f)))}].");
                }
                if (envelope.Message is TEvent e && (match is null || match(e))) found.Add(e);
            }
            return found;
        }
        finally
        {
            listener.Unsubscribe();
            Sys.Stop(listener.TestActor);
        }
    }

    public Task<IReadOnlyList<TEvent>> ExpectEventsAsync<TEvent>(Action action, int count = 1, Predicate<TEvent>? match = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        return ExpectEventsAsync(() =>
        {
            action();
            return Task.CompletedTask;
        }, count, match, timeout);
    }

    /// <summary>Runs <paramref name="action"/> and waits for <paramref name="count"/> dead letters (those <paramref name="match"/> accepts).</summary>
    public Task<IReadOnlyList<DeadLetter>> ExpectDeadLettersAsync(Action action, int count = 1, Predicate<DeadLetter>? match = null, TimeSpan? timeout = null) =>
        ExpectEventsAsync(action, count, match, timeout);

    public Task<IReadOnlyList<DeadLetter>> ExpectDeadLettersAsync(Func<Task> action, int count = 1, Predicate<DeadLetter>? match = null, TimeSpan? timeout = null) =>
        ExpectEventsAsync(action, count, match, timeout);

    // ---- internals ----

    private async Task<T> ExpectCoreAsync<T>(TimeSpan? timeout, Func<T, string?>? check, string expectation, string? hint)
    {
        var max = RemainingOrDilated(timeout);
        var envelope = await TryReceiveAsync(max).ConfigureAwait(false);
        MarkExpectation(noMessage: false);
        if (envelope is null)
        {
            throw new TestKitAssertionException(
                $"Timeout ({MessageText.Ms(max)}) while waiting for {expectation}{MessageText.Hint(hint)} at {TestActor.Path}: no message arrived.");
        }
        if (envelope.Message is not T typed)
        {
            throw new TestKitAssertionException(
                $"Expected {expectation}{MessageText.Hint(hint)} at {TestActor.Path}, but received {MessageText.Describe(envelope)}.");
        }
        string? problem;
        try
        {
            problem = check?.Invoke(typed);
        }
        catch (Exception e)
        {
            throw new TestKitAssertionException(
                $"Expected {expectation}{MessageText.Hint(hint)} at {TestActor.Path}, but received {MessageText.Describe(envelope)}, which failed it: {e.Message}", e);
        }
        if (problem is not null)
        {
            throw new TestKitAssertionException(
                $"Expected {expectation}{MessageText.Hint(hint)} at {TestActor.Path}, but received {MessageText.Describe(envelope)}, and {problem}.");
        }
        return typed;
    }

    private async Task<T> FishCoreAsync<T>(Predicate<T>? isMessage, TimeSpan? timeout, string expectation)
    {
        var max = RemainingOrDilated(timeout);
        var deadline = TestKitShared.Now + max;
        var skipped = new List<Envelope>();
        while (true)
        {
            var envelope = await TryReceiveAsync(Positive(deadline - TestKitShared.Now)).ConfigureAwait(false);
            MarkExpectation(noMessage: false);
            if (envelope is null)
            {
                throw new TestKitAssertionException(
                    $"Timeout ({MessageText.Ms(max)}) while fishing for {expectation} at {TestActor.Path}: skipped {MessageText.List(skipped)}.");
            }
            if (envelope.Message is T typed)
            {
                bool matches;
                try { matches = isMessage is null || isMessage(typed); }
                catch (Exception e)
                {
                    throw new TestKitAssertionException(
                        $"The predicate threw on {MessageText.Describe(envelope)} while fishing for {expectation} at {TestActor.Path}: {e.Message}", e);
                }
                if (matches) return typed;
            }
            skipped.Add(envelope);
        }
    }

    /// <summary>Takes the next message, waiting at most <paramref name="timeout"/>; null when none arrived in time.</summary>
    internal async Task<Envelope?> TryReceiveAsync(TimeSpan timeout)
    {
        var queue = Queue;
        if (queue.TryRead(out var ready)) return _last = ready;
        if (timeout <= TimeSpan.Zero) return null;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return _last = await queue.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // A message that raced with the timeout is not lost: it stays in the channel for the next expectation.
            return null;
        }
    }

    private void MarkExpectation(bool noMessage)
    {
        if (Shared.Within.Value is { } scope) scope.LastWasNoMsg = noMessage;
    }

    private TimeSpan PollInterval(TimeSpan? interval)
    {
        var pause = interval ?? TestKitSettings.DefaultPollInterval;
        if (pause <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be positive.");
        return pause;
    }

    private static TimeSpan Positive(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
