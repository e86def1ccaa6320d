using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Bank.ReadModels.Tests;

/// <summary>
/// The read model in a SQLite file of its own (the host's layout): its transactions take that file's write lock and
/// never the journal's, so the journal's writer and the projection do not queue behind each other, while the
/// projection still reads the journal's tables (attached) in its transaction. The read model in the journal's file is
/// the counter-example: there they share one lock.
/// </summary>
public sealed class SqliteReadModelFileSpecs
{
    [Fact]
    public async Task A_read_model_transaction_commits_while_the_journals_write_lock_is_held()
    {
        await using var side = await ReadSide.SqliteAsync(readModelFile: true);
        var (last, _) = await WriteAndProjectAsync(side);
        await using var impatient = ImpatientTwinOf(side);

        await using var journalWriter = await HoldWriteLockAsync(side.ConnectionString);
        var highest = await impatient.InTransactionAsync((session, ct) => TouchOffsetAndReadJournalAsync(session, ct), CancellationToken.None);

        Assert.Equal(last, highest);
    }

    [Fact]
    public async Task The_journals_writer_takes_its_lock_while_a_read_model_transaction_is_open()
    {
        await using var side = await ReadSide.SqliteAsync(readModelFile: true);
        var (last, _) = await WriteAndProjectAsync(side);

        var highest = await side.Database.InTransactionAsync(async (session, ct) =>
        {
            var seen = await TouchOffsetAndReadJournalAsync(session, ct);
            // The read-model transaction holds its file's write lock and a read snapshot of the journal's file.
            await using var journalWriter = await HoldWriteLockAsync(side.ConnectionString);
            return seen;
        }, CancellationToken.None);

        Assert.Equal(last, highest);
    }

    [Fact]
    public async Task In_the_journals_own_file_the_read_model_waits_for_the_journals_write_lock()
    {
        await using var side = await ReadSide.SqliteAsync(readModelFile: false);
        await WriteAndProjectAsync(side);
        await using var impatient = ImpatientTwinOf(side);

        await using var journalWriter = await HoldWriteLockAsync(side.ConnectionString);
        var busy = await Assert.ThrowsAsync<SqliteException>(() =>
            impatient.InTransactionAsync((session, ct) => TouchOffsetAndReadJournalAsync(session, ct), CancellationToken.None));

        Assert.Equal(5, busy.SqliteErrorCode); // SQLITE_BUSY
    }

    [Fact]
    public async Task The_read_models_own_file_holds_its_tables_and_the_journals_file_none_of_them()
    {
        await using var side = await ReadSide.SqliteAsync(readModelFile: true);
        await WriteAndProjectAsync(side);

        var readModel = Assert.IsType<SqliteProjectionDatabase>(side.Database);
        Assert.True(readModel.HasOwnFile);
        var journalTables = await TablesAsync(side.ConnectionString);
        Assert.Contains("journal", journalTables);
        Assert.DoesNotContain(ProjectionDatabase.OffsetTable, journalTables);
        Assert.DoesNotContain("account_summary", journalTables);
        var summaries = await side.Queries.ListAccountsAsync(new AccountListQuery());
        Assert.Equal(3, summaries.Items.Count);
    }

    [Fact]
    public async Task A_read_model_connection_checkpoints_its_wal_every_10000_pages_not_every_1000()
    {
        await using var side = await ReadSide.SqliteAsync(readModelFile: true);
        await WriteAndProjectAsync(side);

        await using var connection = await side.Database.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_autocheckpoint";

        Assert.Equal(10_000L, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<(long Last, int Events)> WriteAndProjectAsync(ReadSide side)
    {
        var commands = new List<Bank.Domain.AccountCommand>();
        for (var a = 0; a < 3; a++) commands.Add(side.Writer.Open($"f-{a}", initialDeposit: 1m));
        for (var a = 0; a < 3; a++) commands.Add(side.Writer.Deposit($"f-{a}", 2m));
        var last = await side.Writer.SendAllAsync(commands);
        await side.Projection.StartAsync();
        await side.CaughtUpToAsync(last);
        await side.Projection.StopAsync();
        return (last, commands.Count);
    }

    /// <summary>The same database as the read side's, but a busy lock is an error at once (busy timeout 0), not a wait.</summary>
    private static SqliteProjectionDatabase ImpatientTwinOf(ReadSide side)
    {
        var readModel = (SqliteProjectionDatabase)side.Database;
        var file = readModel.HasOwnFile ? Path.Combine(Path.GetDirectoryName(new SqliteConnectionStringBuilder(side.ConnectionString).DataSource)!, "bank-read-model.db") : null;
        return file is null
            ? ProjectionDatabase.Sqlite(side.ConnectionString, busyTimeout: TimeSpan.Zero)
            : ProjectionDatabase.Sqlite($"Data Source={file}", busyTimeout: TimeSpan.Zero, journalConnectionString: side.ConnectionString);
    }

    /// <summary>A write in the read model (its offset row) and a read of the journal's highest ordering, in one transaction.</summary>
    private static async Task<long> TouchOffsetAndReadJournalAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync($"UPDATE {session.Table(ProjectionDatabase.OffsetTable)} SET updated_at = updated_at + 1", cancellationToken);
        var journal = session.Database.Journal.QualifiedJournal(session.Dialect);
        return Convert.ToInt64(await session.ScalarAsync($"SELECT MAX(ordering) FROM {journal}", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The journal file's write lock, taken at once (BEGIN IMMEDIATE, no busy wait) and held until disposed.</summary>
    private static async Task<SqliteConnection> HoldWriteLockAsync(string journalConnectionString)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(journalConnectionString) { Pooling = false, DefaultTimeout = 1 }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE;";
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    private static async Task<List<string>> TablesAsync(string connectionString)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        return tables;
    }
}
