using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Sqlite;
using Actors.Persistence.Tck;
using Microsoft.Data.Sqlite;

namespace Actors.Persistence.Sql.Tests;

/// <summary>The journal TCK against <see cref="SqliteJournal"/>, on a fresh temporary database file per test.</summary>
public sealed class SqliteJournalTckTests : JournalSpec
{
    private readonly SqliteTckDatabase _database = new();

    // Every call opens another journal instance over the same file (the concurrent-writer test uses two).
    protected override Task<IJournal> CreateJournalAsync() =>
        Task.FromResult<IJournal>(new SqliteJournal(new SqliteJournalOptions(_database.ConnectionString), Serializer));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Delete();
    }
}

/// <summary>A temporary SQLite database file, deleted (with its -wal/-shm files) after the test.</summary>
internal sealed class SqliteTckDatabase
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"actors-tck-{Guid.NewGuid():N}.db");

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
