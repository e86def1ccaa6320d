using System.Data.Common;
using System.Runtime.CompilerServices;
using Actors.Journal.Query.Internal;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Persistence.Query;
using Akka.Streams.Dsl;

namespace Actors.Journal.Query;

/// <summary>
/// An Akka.Persistence.Query read journal over Akka.Persistence.Sql's tables (<c>journal</c>, <c>tags</c>; default
/// table mapping, tag-write-mode TagTable) on SQLite and PostgreSQL. It reads what the stock journal writes and what
/// any writer of the same schema writes. Offsets are <c>Offset.Sequence(ordering)</c>, exclusive.
/// <para>
/// Paging: each query reads the next page only when the stream has taken the previous one (at most one page per
/// query in memory), by prepared statements with positional parameters. Live queries that are caught up wait for a
/// wake-up (<see cref="JournalWritten"/> on the EventStream, <see cref="NotifyWritten"/>, PostgreSQL LISTEN/NOTIFY) or
/// for poll-interval, whichever comes first; the wake-up is armed before each read, so a write that commits during
/// a read is never slept through.
/// </para>
/// <para>
/// Gap safety (by tag, all events, persistence ids): a live or current query never passes an ordering that a
/// transaction still in flight may yet commit (PostgreSQL: xid tracking, see <c>GapTracker</c>; SQLite: writes are
/// serialized, see <c>SqliteQueryStore</c>), and no give-up timer: a transaction held open for minutes holds the
/// reader back for minutes, it is never skipped.
/// </para>
/// </summary>
public sealed class FastSqlReadJournal :
    IPersistenceIdsQuery,
    ICurrentPersistenceIdsQuery,
    IEventsByPersistenceIdQuery,
    ICurrentEventsByPersistenceIdQuery,
    IEventsByTagQuery,
    ICurrentEventsByTagQuery,
    IAllEventsQuery,
    ICurrentAllEventsQuery,
    IAsyncDisposable
{
    /// <summary>The plugin id (HOCON path) of the reference configuration.</summary>
    public const string Identifier = "akka.persistence.query.journal.fast-sql";

    private readonly WriteSignal _signal = new();
    private readonly QueryStore _store;
    private readonly EventDecoder _decoder;
    private readonly Lock _initGate = new();
    private Task? _initialized;
    private readonly IActorRef? _wakeActor;
    private readonly ExtendedActorSystem? _system;
    private volatile bool _disposed;
    private int _disposeStarted;

    /// <summary>The reference configuration (<c>reference.conf</c> of this assembly), rooted at <c>akka.persistence.query.journal.fast-sql</c>.</summary>
    public static Config DefaultConfiguration { get; } = LoadReference().GetConfig(Identifier);

    /// <summary>The reference configuration with its full path, for <c>WithFallback</c> on a system's config.</summary>
    public static Config ReferenceConfiguration { get; } = LoadReference();

    /// <summary>Created by <see cref="FastSqlReadJournalProvider"/> from the plugin's configuration section.</summary>
    public FastSqlReadJournal(ExtendedActorSystem system, Config config)
        : this(system, FastSqlReadJournalSettings.Create(config, system.Settings.Config))
    {
    }

    public FastSqlReadJournal(ExtendedActorSystem system, FastSqlReadJournalSettings settings)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
        _system = system;
        _store = settings.Provider switch
        {
            FastSqlProvider.Sqlite => new Sqlite.SqliteQueryStore(settings),
            FastSqlProvider.Postgres => new Postgres.PostgresQueryStore(settings, message => system.Log.Warning(message)),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Provider, "Unknown provider."),
        };
        EventAdapters? adapters = settings.WritePlugin is { } plugin ? Persistence.Instance.Apply(system).AdaptersFor(plugin) : null;
        _decoder = new EventDecoder(system, adapters);

        var signal = _signal;
        _wakeActor = system.SystemActorOf(Props.Create(() => new WakeOnJournalWritten(signal)), "fast-sql-read-journal-" + Guid.NewGuid().ToString("N"));
        system.RegisterOnTermination(() => _ = DisposeAfterTerminationAsync());
    }

    public FastSqlReadJournalSettings Settings { get; }

    /// <summary>Round trips run against the database so far (diagnostics).</summary>
    public long PagesRead => _store.PagesRead;

    /// <summary>
    /// The PostgreSQL triggers that make reads gap-safe with any writer and send the notifications (what
    /// <c>create-triggers = on</c> installs); for a DBA to run when the read journal may not create triggers.
    /// </summary>
    public static string PostgresTriggerSql(string? schema = null, string journalTable = "journal") =>
        Postgres.PostgresTriggers.CreateSql(schema, journalTable);

    /// <summary>Wakes the live queries now instead of at their next poll (as <see cref="JournalWritten"/> does).</summary>
    public void NotifyWritten() => _signal.Notify();

    /// <summary>The highest ordering visible now (0 for an empty journal).</summary>
    public async Task<long> HighestOrderingAsync(CancellationToken cancellationToken = default)
    {
        await EnsureInitializedAsync().ConfigureAwait(false);
        return await _store.HighestOrderingAsync(cancellationToken).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ Akka.Persistence.Query

    public Source<string, NotUsed> PersistenceIds() => Pages(() => LivePersistenceIds(CancellationToken.None));

    public Source<string, NotUsed> CurrentPersistenceIds() => Pages(() => CurrentPersistenceIdsCore(CancellationToken.None));

    public Source<EventEnvelope, NotUsed> EventsByPersistenceId(string persistenceId, long fromSequenceNr, long toSequenceNr)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        return Pages(() => ByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, live: true, CancellationToken.None));
    }

    public Source<EventEnvelope, NotUsed> CurrentEventsByPersistenceId(string persistenceId, long fromSequenceNr, long toSequenceNr)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        return Pages(() => ByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr, live: false, CancellationToken.None));
    }

    public Source<EventEnvelope, NotUsed> EventsByTag(string tag, Offset offset)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        var from = OrderingOf(offset);
        return Pages(() => Global(GlobalQuery.ByTag(tag), from, live: true, CancellationToken.None));
    }

    public Source<EventEnvelope, NotUsed> CurrentEventsByTag(string tag, Offset offset)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        var from = OrderingOf(offset);
        return Pages(() => Global(GlobalQuery.ByTag(tag), from, live: false, CancellationToken.None));
    }

    public Source<EventEnvelope, NotUsed> AllEvents(Offset offset)
    {
        var from = OrderingOf(offset);
        return Pages(() => Global(GlobalQuery.All, from, live: true, CancellationToken.None));
    }

    public Source<EventEnvelope, NotUsed> CurrentAllEvents(Offset offset)
    {
        var from = OrderingOf(offset);
        return Pages(() => Global(GlobalQuery.All, from, live: false, CancellationToken.None));
    }

    /// <summary>
    /// A stream of pages, flattened: the async step (and its stage callback) is paid once per page, and the events of a
    /// page are emitted synchronously.
    /// </summary>
    private static Source<T, NotUsed> Pages<T>(Func<IAsyncEnumerable<IReadOnlyList<T>>> pages) =>
        Source.From(pages).SelectMany(static page => page);

    private static long OrderingOf(Offset? offset) => offset switch
    {
        null or NoOffset => 0,
        Sequence s => Math.Max(0, s.Value),
        _ => throw new ArgumentException(
            $"fast-sql read journal: offsets are Offset.Sequence(ordering) or Offset.NoOffset(), not {offset.GetType().Name}.", nameof(offset)),
    };

    // ------------------------------------------------------------------ by persistence id

    private async IAsyncEnumerable<IReadOnlyList<EventEnvelope>> ByPersistenceId(
        string persistenceId, long fromSequenceNr, long toSequenceNr, bool live, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync().ConfigureAwait(false);
        var next = Math.Max(fromSequenceNr, 0);
        if (next > toSequenceNr) yield break;
        if (live) _store.StartListening(_signal.Notify);
        while (true)
        {
            ThrowIfDisposed();
            var wake = _signal.Next;
            var readAt = Environment.TickCount64;
            var page = await _store.ReadByPersistenceIdAsync(persistenceId, next, toSequenceNr, Settings.PageSize, cancellationToken)
                .ConfigureAwait(false);
            if (page.Count > 0) yield return Decode(page);
            if (page.Count > 0)
            {
                var last = page[^1].SequenceNr;
                if (last >= toSequenceNr) yield break;
                next = last + 1;
            }
            if (page.Count == Settings.PageSize) continue;
            // One persistent actor writes its events in sequence order, each write after the previous one completed:
            // a short page is the stream's end for now.
            if (!live) yield break;
            await WaitForWritesAsync(wake, readAt, cancellationToken).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ by tag, all events

    private async IAsyncEnumerable<IReadOnlyList<EventEnvelope>> Global(
        GlobalQuery query, long offset, bool live, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync().ConfigureAwait(false);
        if (live) _store.StartListening(_signal.Notify);
        // A current query ends at the highest ordering committed when it starts (later events are for the next query);
        // it still waits for an ordering below that which a transaction in flight may yet commit (PostgreSQL).
        var end = live ? long.MaxValue : await _store.HighestOrderingAsync(cancellationToken).ConfigureAwait(false);
        var cursor = _store.OpenCursor(query, offset);
        while (cursor.Position < end)
        {
            ThrowIfDisposed();
            var wake = _signal.Next;
            var readAt = Environment.TickCount64;
            var page = await cursor.ReadAsync(Settings.PageSize, end, cancellationToken).ConfigureAwait(false);
            if (page.Rows.Count > 0) yield return Decode(page.Rows);
            if (!page.CaughtUp) continue;
            if (!live && !page.Blocked) yield break;
            await WaitForWritesAsync(wake, readAt, cancellationToken).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ persistence ids

    private async IAsyncEnumerable<IReadOnlyList<string>> CurrentPersistenceIdsCore([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync().ConfigureAwait(false);
        await foreach (var page in _store.ScanPersistenceIdsAsync(Settings.PageSize, cancellationToken).ConfigureAwait(false))
            yield return page;
    }

    /// <summary>
    /// First every id stored so far (a scan of the ids), then the ids of events after the point where that scan
    /// started, followed in global order like <see cref="AllEvents"/> (so with the same gap safety), each id once.
    /// Ids of transactions that were in flight at the start point land below it; when those transactions have ended,
    /// one more scan picks them up.
    /// </summary>
    private async IAsyncEnumerable<IReadOnlyList<string>> LivePersistenceIds([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureInitializedAsync().ConfigureAwait(false);
        _store.StartListening(_signal.Notify);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var start = await _store.StartPersistenceIdsAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var scanned in _store.ScanPersistenceIdsAsync(Settings.PageSize, cancellationToken).ConfigureAwait(false))
            yield return New(scanned);

        List<string> New(IEnumerable<string> ids) => ids.Where(seen.Add).ToList();

        var inFlight = start.InFlight;
        var cursor = _store.OpenCursor(GlobalQuery.PersistenceIds, start.Ordering);
        while (true)
        {
            ThrowIfDisposed();
            var wake = _signal.Next;
            var readAt = Environment.TickCount64;
            if (inFlight is not null && await _store.HaveFinishedAsync(inFlight, cancellationToken).ConfigureAwait(false))
            {
                inFlight = null;
                await foreach (var scanned in _store.ScanPersistenceIdsAsync(Settings.PageSize, cancellationToken).ConfigureAwait(false))
                    yield return New(scanned);
            }
            var page = await cursor.ReadAsync(Settings.PageSize, long.MaxValue, cancellationToken).ConfigureAwait(false);
            var ids = New(page.Rows.Select(static row => row.PersistenceId));
            if (ids.Count > 0) yield return ids;
            if (page.CaughtUp) await WaitForWritesAsync(wake, readAt, cancellationToken).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ misc

    /// <summary>A new list per page: the stream still emits from the previous one while the next is read.</summary>
    private List<EventEnvelope> Decode(IReadOnlyList<StoredEvent> rows)
    {
        var envelopes = new List<EventEnvelope>(rows.Count);
        _decoder.Decode(rows, envelopes);
        return envelopes;
    }

    /// <summary>Once per read journal; a failed attempt (database not reachable yet) is tried again by the next query.</summary>
    private Task EnsureInitializedAsync()
    {
        ThrowIfDisposed();
        if (Volatile.Read(ref _initialized) is { IsCompletedSuccessfully: true } done) return done;
        lock (_initGate)
        {
            if (_initialized is null || _initialized.IsFaulted || _initialized.IsCanceled)
                _initialized = _store.InitializeAsync(CancellationToken.None);
            return _initialized;
        }
    }

    /// <summary>
    /// Until a write wakes the query or poll-interval has passed, then until min-read-interval has passed since the read
    /// that started at <paramref name="readAt"/> (<see cref="Environment.TickCount64"/>).
    /// </summary>
    private async Task WaitForWritesAsync(Task wake, long readAt, CancellationToken cancellationToken)
    {
        await wake.WaitAsync(Settings.PollInterval, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var early = Settings.MinReadInterval - TimeSpan.FromMilliseconds(Environment.TickCount64 - readAt);
        if (early <= TimeSpan.Zero) return;
        await Task.Delay(early, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Releases connections and the listener; live queries still running then fail with <see cref="ObjectDisposedException"/>. Runs at system termination too.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0) return;
        _disposed = true;
        _signal.Notify();
        if (_wakeActor is not null && _system is { WhenTerminated.IsCompleted: false }) _system.Stop(_wakeActor);
        await _store.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Closes the connections once the system has terminated, without blocking its termination thread. Nothing is left to
    /// report a failure to by then (the system's log is gone), and the connections die with the process anyway.
    /// </summary>
    private async Task DisposeAfterTerminationAsync()
    {
        try
        {
            await DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or ObjectDisposedException or InvalidOperationException)
        {
            // See above: closing a database connection at shutdown may fail; it changes nothing.
        }
    }

    private static Config LoadReference()
    {
        using var stream = typeof(FastSqlReadJournal).Assembly.GetManifestResourceStream("Actors.Journal.Query.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in Actors.Journal.Query.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    /// <summary>Turns <see cref="JournalWritten"/> on the EventStream into a wake-up of this read journal's live queries.</summary>
    private sealed class WakeOnJournalWritten : ActorBase
    {
        private readonly WriteSignal _signal;

        public WakeOnJournalWritten(WriteSignal signal) => _signal = signal;

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(JournalWritten));

        protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

        protected override bool Receive(object message)
        {
            if (message is not JournalWritten) return false;
            _signal.Notify();
            return true;
        }
    }
}
