using Actors.Persistence.Journal;
using Actors.Persistence.Sql.Sqlite;

namespace Actors.Persistence.Sql.Tests;

public sealed class SqliteWriteGateTests : IDisposable
{
    private readonly TempSqliteDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void One_file_has_one_gate_however_its_path_is_written()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, _db.FilePath);

        Assert.Same(SqliteWriteGate.For(_db.ConnectionString), SqliteWriteGate.For($"Data Source={relative};Pooling=False"));
        Assert.NotSame(SqliteWriteGate.For(_db.ConnectionString), SqliteWriteGate.For($"Data Source={_db.FilePath}.other"));
        Assert.NotSame(SqliteWriteGate.For("Data Source=:memory:"), SqliteWriteGate.For("Data Source=:memory:"));
    }

    [Fact]
    public async Task The_turn_goes_to_the_waiters_in_arrival_order_not_to_whoever_asks_last()
    {
        var gate = SqliteWriteGate.For($"Data Source={_db.FilePath}.fifo");
        var first = await gate.EnterAsync(CancellationToken.None);
        var second = gate.EnterAsync(CancellationToken.None).AsTask();
        var third = gate.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);

        first.Dispose();
        first.Dispose(); // once only
        var secondTurn = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(third.IsCompleted);
        secondTurn.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task Another_writer_of_the_file_gets_its_turn_while_the_journal_writes_without_pause()
    {
        await using var journal = _db.Journal();
        await journal.InitializeAsync();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 20).Select(a => Task.Run(async () =>
        {
            for (var seq = 1; !stop.IsCancellationRequested; seq++)
                Assert.IsType<WriteResult.Stored>(await journal.WriteOneAsync(TestEvents.Write($"busy-{a}", seq, 1, "t")));
        })).ToList();
        try
        {
            var gate = SqliteWriteGate.For(_db.ConnectionString);
            for (var i = 0; i < 5; i++)
            {
                // Waits at most for the batch in progress, never for SQLite's busy handler to find a gap.
                using var turn = await gate.EnterAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
                using var connection = _db.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS side (x INTEGER); INSERT INTO side VALUES (1); COMMIT;";
                command.ExecuteNonQuery();
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        Assert.Equal(5, _db.Scalar("SELECT count(*) FROM side"));
    }
}
