using Actors.Persistence.Serialization;
using Actors.Persistence.Sql.Sqlite;

namespace Actors.Persistence.Query;

/// <summary>
/// Queries over the tables of a <see cref="SqliteJournal"/>, on their own pooled connections (WAL: readers never wait
/// for the writer). SQLite has one writer at a time and assigns orderings inside the write transaction, so orderings
/// become visible in order and a reader never sees a gap that may still fill; a missing ordering was rolled back or
/// deleted. Live queries wake on the attached journal's <c>EventsWritten</c> and otherwise poll (writes by other
/// processes are seen within <see cref="ReadJournalOptions.PollInterval"/>).
/// </summary>
public sealed class SqliteReadJournal : ReadJournal
{
    private readonly SqliteJournal? _journal;
    private readonly Action _onWritten;
    private readonly SqliteQueryStore _store;

    /// <param name="journalOptions">The journal's settings (connection string, busy timeout, AutoInitialize).</param>
    /// <param name="serializer">The serializer the journal writes with.</param>
    /// <param name="journal">The journal writing in this process, if any: its writes wake live queries at once.</param>
    /// <param name="options">Query settings; defaults when null.</param>
    public SqliteReadJournal(
        SqliteJournalOptions journalOptions, IEventSerializer serializer, SqliteJournal? journal = null, ReadJournalOptions? options = null)
        : this(new SqliteQueryStore(journalOptions, serializer, journal), journal, options)
    {
    }

    public SqliteReadJournal(string connectionString, IEventSerializer serializer, SqliteJournal? journal = null, ReadJournalOptions? options = null)
        : this(new SqliteJournalOptions(connectionString), serializer, journal, options)
    {
    }

    /// <summary>Over the tables <paramref name="journal"/> writes, woken by its writes.</summary>
    public SqliteReadJournal(SqliteJournal journal, IEventSerializer serializer, ReadJournalOptions? options = null)
        : this((journal ?? throw new ArgumentNullException(nameof(journal))).Options, serializer, journal, options)
    {
    }

    private SqliteReadJournal(SqliteQueryStore store, SqliteJournal? journal, ReadJournalOptions? options) : base(store, options)
    {
        _store = store;
        _journal = journal;
        _onWritten = NotifyWritten;
        if (_journal is not null) _journal.EventsWritten += _onWritten;
    }

    /// <summary>Creates the journal's schema if missing (idempotent). Runs by itself on first use when AutoInitialize is on.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _store.InitializeAsync(cancellationToken);

    private protected override ValueTask DisposeCoreAsync()
    {
        if (_journal is not null) _journal.EventsWritten -= _onWritten;
        return ValueTask.CompletedTask;
    }
}
