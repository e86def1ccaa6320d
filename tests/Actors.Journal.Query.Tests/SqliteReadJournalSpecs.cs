using Actors.Journal.Query.Tests.Support;
using Xunit.Abstractions;

namespace Actors.Journal.Query.Tests;

/// <summary>SQLite: no database notifications; the writer's <see cref="JournalWritten"/> on the EventStream wakes live queries.</summary>
public sealed class SqliteReadJournalSpecs : ReadJournalSpec
{
    private readonly SqliteTestDatabase _database;

    public SqliteReadJournalSpecs(ITestOutputHelper output) : this(new SqliteTestDatabase(), output)
    {
    }

    private SqliteReadJournalSpecs(SqliteTestDatabase database, ITestOutputHelper output) : base(database, output) => _database = database;

    protected override void AfterCommit(Written written) => Sys.EventStream.Publish(new JournalWritten(0));

    protected override void AfterAll()
    {
        base.AfterAll();
        _database.Dispose();
    }
}
