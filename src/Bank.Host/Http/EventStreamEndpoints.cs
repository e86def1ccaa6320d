using System.ComponentModel;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Bank.Actors.Accounts;
using Bank.Host.Auth;
using Bank.Host.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Bank.Host.Http;

/// <summary>
/// The journal as a live stream of server-sent events, in global order: every event stored so far after the starting
/// offset, then each new one as it commits. <c>id:</c> is the event's global offset, so a client that reconnects
/// (EventSource does it by itself, sending <c>Last-Event-ID</c>) resumes right after the last event it got.
/// </summary>
public static class EventStreamEndpoints
{
    public const string LastEventIdHeader = "Last-Event-ID";

    public static RouteHandlerBuilder MapEventStreamEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet("/events/stream", Stream).WithTags("Events").WithName("StreamEvents")
            .WithSummary("Server-sent events of every account event, live: id = global offset, event = stored type name, data = JSON envelope.")
            .WithDescription("Starts after the offset in the Last-Event-ID header, else after ?offset=, else at the beginning. Goes on "
                             + "until the client disconnects or the host stops. An admin gets every event; a customer only its own accounts' events. "
                             + "Open streams are capped per subject and per node (429 with Retry-After).")
            .ProducesProblems(400, 429)
            .RequireBankPolicy(BankPolicies.EventFeed);
    }

    private static Results<ServerSentEventsResult<StreamedEvent>, ProblemHttpResult> Stream(
        [FromHeader(Name = LastEventIdHeader), Description("The id (global offset) of the last event received; it wins over ?offset=.")] string? lastEventId,
        [Description("Stream the events after this global offset; 0 (everything) when absent.")] long? offset,
        ActorSystem system, BankReadJournal readJournal, IHostApplicationLifetime lifetime, EventStreamLimits limits, AccountGateway gateway, HttpContext http)
    {
        long? resumeAfter = null;
        if (!string.IsNullOrWhiteSpace(lastEventId))
        {
            if (!long.TryParse(lastEventId.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                return ProblemResults.Validation(LastEventIdHeader, $"The {LastEventIdHeader} header must be an event id (a global offset, 0 or more), not '{lastEventId}'.");
            resumeAfter = parsed;
        }
        if (offset is < 0) return ProblemResults.Validation("offset", $"offset must be 0 or more, but is {offset}.");

        // Held until the request ends, however the stream ends.
        if (limits.TryOpen(BankAccessControlExtensions.PartitionKey(http)) is not { } lease)
            return ProblemResults.TooManyRequests(http, "Too many event streams are open (for this caller, or on this node). Close one, or retry later.", RetryAfterSeconds);
        http.Response.RegisterForDispose(lease);
        var visible = http.User.CustomerSubject() is { } customer ? new CustomerFeed(customer, gateway).IsVisibleAsync : (Func<EventEnvelope, CancellationToken, ValueTask<bool>>?)null;
        return TypedResults.ServerSentEvents(EventsAsync(http, system, readJournal, resumeAfter ?? offset ?? 0, visible, lifetime.ApplicationStopping, http.RequestAborted));
    }

    private const int RetryAfterSeconds = 5;

    /// <summary>
    /// Which events a customer's stream carries: those of the accounts it owns. An account's owner never changes, so it is
    /// learnt once per stream, from the account's opening event when the stream has it, else from the account itself.
    /// </summary>
    private sealed class CustomerFeed(string customer, AccountGateway gateway)
    {
        // Bounded: a long stream over a big bank would otherwise remember every account it passed.
        private const int MaxRemembered = 10_000;
        private readonly Dictionary<string, bool> _owned = new(StringComparer.Ordinal);

        public async ValueTask<bool> IsVisibleAsync(EventEnvelope envelope, CancellationToken cancellationToken)
        {
            var id = envelope.PersistenceId;
            if (_owned.TryGetValue(id, out var mine)) return mine;
            if (envelope.Event is Domain.AccountOpened opened) mine = string.Equals(opened.Owner, customer, StringComparison.Ordinal);
            else mine = string.Equals((await gateway.GetAsync(id, cancellationToken)).Owner, customer, StringComparison.Ordinal);
            if (_owned.Count >= MaxRemembered) _owned.Clear();
            _owned[id] = mine;
            return mine;
        }
    }

    /// <summary>The live events-by-tag query of the read journal (every account event) as SSE items; ends quietly when the client goes away or the host stops.</summary>
    private static async IAsyncEnumerable<SseItem<StreamedEvent>> EventsAsync(HttpContext http,
        ActorSystem system, BankReadJournal readJournal, long afterOffset, Func<EventEnvelope, CancellationToken, ValueTask<bool>>? visible,
        CancellationToken hostStopping, [EnumeratorCancellation] CancellationToken requestAborted = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, hostStopping);
        // The result has set the headers by now. Send them at once: the client learns that the stream is open (EventSource's
        // open event) even when no event is due yet.
        try
        {
            await http.Response.StartAsync(stop.Token);
            await http.Response.Body.FlushAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            yield break;
        }
        var events = readJournal.EventsByTag(AccountActor.Tag, Offset.Sequence(afterOffset))
            .RunAsAsyncEnumerable(system.Materializer())
            .GetAsyncEnumerator(stop.Token);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await events.MoveNextAsync();
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    yield break;
                }
                catch (Exception) when (hostStopping.IsCancellationRequested)
                {
                    yield break; // the actor system stops with the host, and its streams with it
                }
                if (!more) yield break;
                if (visible is not null)
                {
                    bool show;
                    try
                    {
                        show = await visible(events.Current, stop.Token);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        yield break;
                    }
                    if (!show) continue;
                }
                var streamed = StreamedEvent.From(events.Current, system);
                yield return new SseItem<StreamedEvent>(streamed, streamed.Type)
                {
                    EventId = streamed.Offset.ToString(CultureInfo.InvariantCulture),
                };
            }
        }
        finally
        {
            await events.DisposeAsync();
        }
    }
}

/// <summary>One journal event as the event stream sends it.</summary>
public sealed record StreamedEvent
{
    [Description("The event's global journal offset (also the SSE id).")]
    public required long Offset { get; init; }

    [Description("The stream the event belongs to: the account id for account events.")]
    public required string PersistenceId { get; init; }

    [Description("The event's position in its stream (the account's version).")]
    public required long SequenceNr { get; init; }

    [Description("When the journal stored it.")]
    public required DateTimeOffset Timestamp { get; init; }

    public required IReadOnlyList<string> Tags { get; init; }

    [Description("The stable stored type name (also the SSE event), e.g. bank.money-deposited.v1.")]
    public required string Type { get; init; }

    [Description("The event itself, e.g. {\"accountId\":\"...\",\"amount\":5,\"balanceAfter\":105,\"commandId\":\"...\",\"at\":\"...\"}.")]
    public required object Event { get; init; }

    /// <param name="system">Names the event's type by the manifest its serializer stores it under.</param>
    public static StreamedEvent From(EventEnvelope envelope, ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(system);
        var serializer = system.Serialization.FindSerializerFor(envelope.Event);
        return new StreamedEvent
        {
            Offset = envelope.Offset is Sequence sequence ? sequence.Value : 0,
            PersistenceId = envelope.PersistenceId,
            SequenceNr = envelope.SequenceNr,
            Timestamp = new DateTimeOffset(envelope.Timestamp, TimeSpan.Zero),
            Tags = envelope.Tags,
            Type = Akka.Serialization.Serialization.ManifestFor(serializer, envelope.Event),
            Event = envelope.Event,
        };
    }
}
