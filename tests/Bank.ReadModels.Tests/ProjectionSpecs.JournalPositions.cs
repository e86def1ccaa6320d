using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>The journal positions the host answers commands with.</summary>
public abstract partial class ProjectionSpecs
{
    [Fact]
    public async Task Journal_positions_give_the_highest_ordering_and_the_ordering_of_each_event_as_the_read_journal_sees_it()
    {
        Assert.Equal(0, await Side.Positions.HighestOffsetAsync());
        var opened = await Writer.OpenAsync("j-1", initialDeposit: 1m);
        var deposited = await Writer.DepositAsync("j-1", 2m);
        await Writer.OpenAsync("j-2");

        var pid = AccountWriterActor.PersistenceIdOf("j-1");
        var events = await Side.ReadJournal.CurrentEventsByPersistenceId(pid, 1, long.MaxValue)
            .RunWith(Sink.Seq<EventEnvelope>(), Side.System.Materializer());
        Assert.Equal(3, events.Count);
        foreach (var envelope in events)
            Assert.Equal(ProjectionSource.OrderingOf(envelope), await Side.Positions.OrderingOfAsync(pid, envelope.SequenceNr));
        Assert.Equal((opened, deposited), (await Side.Positions.OrderingOfAsync(pid, 2), await Side.Positions.OrderingOfAsync(pid, 3)));
        Assert.Null(await Side.Positions.OrderingOfAsync(pid, 4));
        Assert.Null(await Side.Positions.OrderingOfAsync("nobody", 1));
        Assert.Equal(4, await Side.Positions.HighestOffsetAsync());
    }

    [Fact]
    public async Task Journal_positions_of_a_database_without_journal_tables_are_zero_and_unknown()
    {
        var path = Path.Combine(Path.GetTempPath(), "bank-read-model-tests", Guid.NewGuid().ToString("N") + ".db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var positions = JournalPositions.Sqlite($"Data Source={path}");
        try
        {
            Assert.Equal(0, await positions.HighestOffsetAsync());
            Assert.Null(await positions.OrderingOfAsync("account-x", 1));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }
}
