using Actors.Persistence.Serialization;
using Actors.Persistence.Sql.Postgres;

namespace Actors.Persistence.Query;

/// <summary>
/// Queries over the tables of a <see cref="PostgresJournal"/>, on their own pooled connections.
/// <para>
/// Never skips an event: queries in global order (by tag, all events, new persistence ids) only move past an ordering
/// once it is final; an ordering held by a transaction still in flight stops them until it commits or rolls back
/// (<see cref="GapTracker"/> has the method and its argument). By persistence id no such care is needed: one id's
/// events become visible in sequence order.
/// </para>
/// <para>
/// Live queries wake on the attached journal's writes, on notifications from any process (a statement-level trigger
/// on the journal table NOTIFYs channel <c>actors_journal</c> with the schema name; one listener connection per read
/// journal, opened on the first live query), and otherwise every <see cref="ReadJournalOptions.PollInterval"/>.
/// </para>
/// </summary>
public sealed class PostgresReadJournal : ReadJournal
{
    private readonly PostgresJournal? _journal;
    private readonly Action _onWritten;
    private readonly PostgresQueryStore _store;
    private readonly PostgresNotificationListener? _listener;

    /// <param name="journalOptions">The journal's settings (connection string, schema, AutoInitialize).</param>
    /// <param name="serializer">The serializer the journal writes with.</param>
    /// <param name="journal">The journal writing in this process, if any: its writes wake live queries at once.</param>
    /// <param name="options">Query settings; defaults when null.</param>
    public PostgresReadJournal(
        PostgresJournalOptions journalOptions, IEventSerializer serializer, PostgresJournal? journal = null, ReadJournalOptions? options = null)
        : this(Validated(options), journalOptions, serializer, journal)
    {
    }

    /// <summary>Over the tables <paramref name="journal"/> writes, woken by its writes.</summary>
    public PostgresReadJournal(PostgresJournal journal, IEventSerializer serializer, ReadJournalOptions? options = null)
        : this((journal ?? throw new ArgumentNullException(nameof(journal))).Options, serializer, journal, options)
    {
    }

    private PostgresReadJournal(ReadJournalOptions options, PostgresJournalOptions journalOptions, IEventSerializer serializer, PostgresJournal? journal)
        : this(new PostgresQueryStore(journalOptions, serializer, journal, options), options, journalOptions, journal)
    {
    }

    private PostgresReadJournal(PostgresQueryStore store, ReadJournalOptions options, PostgresJournalOptions journalOptions, PostgresJournal? journal)
        : base(store, options)
    {
        _store = store;
        _journal = journal;
        _onWritten = NotifyWritten;
        if (_journal is not null) _journal.EventsWritten += _onWritten;
        if (options.ListenForNotifications)
            _listener = new PostgresNotificationListener(journalOptions.ConnectionString, journalOptions.Schema, _onWritten, options);
    }

    /// <summary>
    /// Creates the journal's schema and tables if missing and, unless <see cref="ReadJournalOptions.CreateNotifyTrigger"/>
    /// is off, the notify trigger (idempotent). Runs by itself on first use when the journal options' AutoInitialize is on.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _store.InitializeAsync(cancellationToken);

    /// <summary>The SQL that installs the notify trigger on the journal table of <paramref name="schema"/>, for running by hand.</summary>
    public static string NotifyTriggerSql(string schema = "public")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        return PostgresNames.NotifyTriggerSql(schema);
    }

    /// <summary>Successful LISTENs of the listener so far (0 before the first live query; grows on reconnects).</summary>
    internal int ListenerConnects => _listener?.Connects ?? 0;

    private protected override void OnLiveQueryStarting() => _listener?.EnsureStarted();

    private protected override async ValueTask DisposeCoreAsync()
    {
        if (_journal is not null) _journal.EventsWritten -= _onWritten;
        if (_listener is not null) await _listener.DisposeAsync().ConfigureAwait(false);
    }

    private static ReadJournalOptions Validated(ReadJournalOptions? options)
    {
        options ??= new ReadJournalOptions();
        options.Validate();
        return options;
    }
}
