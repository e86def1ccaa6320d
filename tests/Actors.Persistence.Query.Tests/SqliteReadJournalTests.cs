using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Sqlite;
using Microsoft.Data.Sqlite;

namespace Actors.Persistence.Query.Tests;

/// <summary>The read journal spec over a real <see cref="SqliteJournal"/>, on a temporary database file per test.</summary>
public sealed class SqliteReadJournalTests : ReadJournalSpec
{
    private readonly TempSqliteFile _file = new();

    protected override Task<IJournal> CreateJournalAsync() =>
        Task.FromResult<IJournal>(new SqliteJournal(new SqliteJournalOptions(_file.ConnectionString), Serializer));

    protected override ReadJournal CreateReadJournal(IJournal journal, ReadJournalOptions options) =>
        new SqliteReadJournal((SqliteJournal)journal, Serializer, options);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _file.Delete();
    }
}

/// <summary>A temporary SQLite database file, deleted (with its -wal/-shm files) after the test.</summary>
internal sealed class TempSqliteFile
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"actors-query-{Guid.NewGuid():N}.db");

    public string ConnectionString => $"Data Source={_path}";

    public void Delete()
    {
        using (var connection = new SqliteConnection(ConnectionString)) SqliteConnection.ClearPool(connection);
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm", _path + "-journal" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // A leftover temp file must not fail the test.
            }
        }
    }
}
