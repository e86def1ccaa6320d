using Actors.Benchmarks.Persistence;
using Actors.Persistence.Query;
using Actors.Persistence.Query.Projections;
using Actors.Persistence.Sql.Sqlite;
using Bank.ReadModels;

namespace Actors.Benchmarks.Projection;

/// <summary>
/// The bank projection over the SQLite stores of a benchmark, wired as the host does it: a read journal attached to the
/// journal (its commits wake the live query at once) and the read-model tables in the journal's file.
/// </summary>
internal sealed class ReadSide : IAsyncDisposable
{
    private readonly SqliteReadJournal _readJournal;

    public ReadSide(BenchStores stores, ProjectionSettings? settings = null)
    {
        var journal = stores.Journal as SqliteJournal ?? throw new InvalidOperationException("The projection benchmarks run on SQLite.");
        _readJournal = new SqliteReadJournal(journal, BenchStores.Serializer());
        Database = new SqliteProjectionDatabase(journal.Options);
        Projection = BankReadModel.CreateProjection(_readJournal, Database, settings);
    }

    public SqliteProjectionDatabase Database { get; }

    public Actors.Persistence.Query.Projections.Projection Projection { get; }

    public async ValueTask DisposeAsync()
    {
        await Projection.DisposeAsync();
        await _readJournal.DisposeAsync();
    }
}
