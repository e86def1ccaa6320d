using Actors.Persistence.InMemory;
using Actors.Persistence.Journal;
using Actors.Persistence.Query;
using Actors.Persistence.Query.Projections;
using Actors.Persistence.Serialization;
using Actors.Persistence.Sql.Sqlite;
using Microsoft.Data.Sqlite;

namespace Actors.Hosting.Tests;

public sealed class QueryStoresTests
{
    private static readonly IEventSerializer Serializer = new JsonEventSerializer(new EventTypeRegistry());

    [Fact]
    public async Task The_in_memory_journal_gets_a_private_in_memory_read_model_database_that_lives_as_long_as_the_stores()
    {
        await using var stores = QueryStores.For(new InMemoryJournal(Serializer), Serializer);
        Assert.IsType<InMemoryReadJournal>(stores.ReadJournal);
        Assert.Equal(SqlDialect.Sqlite, stores.ProjectionDatabase.Dialect);

        // Each statement runs on a connection of its own: the table outlives them.
        await stores.ProjectionDatabase.InTransactionAsync((s, ct) => s.ExecuteAsync("CREATE TABLE t (x INTEGER NOT NULL)", ct), default);
        await stores.ProjectionDatabase.InTransactionAsync((s, ct) => s.ExecuteAsync("INSERT INTO t (x) VALUES (1)", ct), default);
        Assert.Equal(1L, await stores.ProjectionDatabase.ReadAsync((s, ct) => s.ScalarAsync("SELECT COUNT(*) FROM t", ct), default));

        await using var other = QueryStores.InMemory(new InMemoryJournal(Serializer));
        Assert.Equal(0L, await other.ProjectionDatabase.ReadAsync((s, ct) => s.ScalarAsync("SELECT COUNT(*) FROM sqlite_master WHERE name = 't'", ct), default));
    }

    [Fact]
    public async Task A_SQLite_journal_is_read_from_its_own_file_and_the_read_models_go_into_it()
    {
        var directory = Path.Combine(Path.GetTempPath(), "query-stores-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "journal.db");
        try
        {
            await using (var journal = new SqliteJournal(new SqliteJournalOptions($"Data Source={file}"), Serializer))
            {
                await journal.InitializeAsync();
                await using var stores = QueryStores.For(journal, Serializer, new ReadJournalOptions { PageSize = 7 });
                Assert.IsType<SqliteReadJournal>(stores.ReadJournal);
                Assert.Equal(7, stores.ReadJournal.Options.PageSize);
                Assert.Equal(0, await stores.ReadJournal.HighestOffsetAsync());
                await stores.ProjectionDatabase.InTransactionAsync((s, ct) => s.ExecuteAsync("CREATE TABLE read_model_probe (x INTEGER)", ct), default);
            }

            await using var connection = new SqliteConnection($"Data Source={file}");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'read_model_probe'";
            Assert.Equal(1L, await command.ExecuteScalarAsync());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_journal_without_a_read_journal_is_refused_with_what_to_do()
    {
        var error = Assert.Throws<NotSupportedException>(() => QueryStores.For(new WrappingJournal(new InMemoryJournal(Serializer)), Serializer));
        Assert.Contains(nameof(WrappingJournal), error.Message);
        Assert.Contains(nameof(QueryStores), error.Message);
    }

    [Fact]
    public async Task Disposing_twice_is_harmless_and_ends_the_read_journal()
    {
        var stores = QueryStores.InMemory(new InMemoryJournal(Serializer));
        await stores.DisposeAsync();
        await stores.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => stores.ReadJournal.HighestOffsetAsync());
    }

    private sealed class WrappingJournal(IJournal inner) : IJournal
    {
        public Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(writes, cancellationToken);

        public IAsyncEnumerable<PersistentRepr> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
            CancellationToken cancellationToken = default) => inner.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken);

        public Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr = 0, CancellationToken cancellationToken = default) =>
            inner.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);

        public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) =>
            inner.DeleteMessagesToAsync(persistenceId, toSequenceNr, cancellationToken);
    }
}
