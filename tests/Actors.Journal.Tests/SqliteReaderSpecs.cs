using Xunit.Abstractions;

namespace Actors.Journal.Tests;

/// <summary>
/// SQLite: replays and highest-sequence-number reads run on kept-open connections with prepared statements
/// (<c>sqlite.idle-readers</c>); a reused reader sees every commit made since it was last used, and 0 keeps none open.
/// </summary>
public sealed class SqliteReaderSpecs(ITestOutputHelper output)
{
    [Theory]
    [InlineData(8)]
    [InlineData(0)]
    public async Task A_reader_used_again_sees_the_writes_committed_since(int idleReaders)
    {
        await using var db = new SqliteTestDatabase();
        using var journal = new JournalHarness(db, Writer.GroupCommit, output, $"akka.persistence.journal.group-commit.sqlite.idle-readers = {idleReaders}");
        await journal.WriteAsync(Events.Write("reader", 1, 2));
        var (first, firstHighest) = await journal.ReplayAsync("reader");

        await journal.WriteAsync(Events.Write("reader", 3, 3));
        var (second, secondHighest) = await journal.ReplayAsync("reader");
        var (tail, _) = await journal.ReplayAsync("reader", from: 4, max: 1);

        Assert.Equal((2, 2L), (first.Count, firstHighest));
        Assert.Equal([1L, 2, 3, 4, 5], second.Select(e => e.SequenceNr).ToArray());
        Assert.Equal(5, secondHighest);
        Assert.Equal([4L], tail.Select(e => e.SequenceNr).ToArray());
    }

    [Fact]
    public void A_negative_number_of_idle_readers_is_refused()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString("connection-string = \"Data Source=x.db\"\nsqlite.idle-readers = -1");
        var error = Assert.Throws<Akka.Configuration.ConfigurationException>(() => JournalSettings.From(config));
        Assert.Contains("idle-readers", error.Message);
    }
}
