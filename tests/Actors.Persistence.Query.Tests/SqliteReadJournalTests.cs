using Actors.Persistence.Tck;
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

    [Fact]
    public async Task Events_of_thousands_of_ids_and_many_tag_sets_each_come_back_with_their_own_id_tags_and_payload()
    {
        // More ids than the decoder caches hold, so cached texts get replaced and looked up again as the query goes.
        const int ids = 3000;
        var writes = Enumerable.Range(0, ids * 2).Select(i =>
        {
            var pid = $"id-{i % ids}";
            string[] tags = (i % 5) switch { 0 => [], 1 => ["t"], 2 => ["t", "u"], 3 => ["ü-€"], _ => [$"tag-{i % 7}", "t"] };
            return new AtomicWrite(new PersistentRepr(pid, i / ids + 1, new TckEvent($"{pid}-{i}", i), "writer", Now(),
                tags.Length == 0 ? PersistentRepr.NoTags : tags));
        }).ToList();
        var results = await Journal.WriteAsync(writes);
        Assert.All(results, r => Assert.IsType<WriteResult.Stored>(r));
        var queries = OpenReadJournal(new ReadJournalOptions { PageSize = 500 });

        var all = await queries.CurrentAllEvents().CollectAsync();
        Assert.Equal(writes.Count, all.Count);
        for (var i = 0; i < all.Count; i++)
        {
            var expected = writes[i].Events[0];
            Assert.Equal((expected.PersistenceId, expected.SequenceNr), (all[i].PersistenceId, all[i].SequenceNr));
            Assert.Equal(expected.Tags, all[i].Tags);
            Assert.Equal(expected.Payload, all[i].Event);
        }
        var tagged = await queries.CurrentEventsByTag("t").CollectAsync();
        Assert.Equal(writes.Where(w => w.Events[0].Tags.Contains("t")).Select(w => ((TckEvent)w.Events[0].Payload).Number),
            tagged.Select(e => ((TckEvent)e.Event).Number));
        AssertAscending(tagged);
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
