using System.Net;
using System.Text.Json;
using Bank.Host.Hosting;
using Bank.Host.Tests.Infrastructure;
using Bank.ReadModels.Projections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Data.Sqlite;

namespace Bank.Host.Tests;

/// <summary>
/// On SQLite the host keeps its read model in a file of its own beside the journal's (its own write lock, so the
/// projection never queues behind the journal's writer), or, configured so, in the journal's file as before.
/// </summary>
public sealed class ReadModelFileScenarios
{
    [Fact]
    public void By_default_the_read_model_file_lies_beside_the_journals_and_is_named_after_it()
    {
        var hocon = BankHocon.Load("bank.sqlite.connection-string = \"Data Source=/var/lib/bank/ledger.db;Cache=Shared\"");

        var readModel = new SqliteConnectionStringBuilder(hocon.ReadModelSqliteConnectionString);

        Assert.Equal("/var/lib/bank/ledger-read-model.db", readModel.DataSource);
        Assert.Equal(SqliteCacheMode.Shared, readModel.Cache);
        Assert.Equal("Data Source=./data/bank-read-model.db", BankHocon.Load().ReadModelSqliteConnectionString);
    }

    [Fact]
    public void A_configured_read_model_file_wins_and_an_in_memory_journal_keeps_its_read_model()
    {
        Assert.Equal("Data Source=/tmp/rm.db", BankHocon.Load("bank.read-model.sqlite.connection-string = \"Data Source=/tmp/rm.db\"").ReadModelSqliteConnectionString);
        const string memory = "Data Source=bank;Mode=Memory;Cache=Shared";
        Assert.Equal(memory, new SqliteConnectionStringBuilder(BankHocon.Load($"bank.sqlite.connection-string = \"{memory}\"").ReadModelSqliteConnectionString).ConnectionString);
    }

    [Fact]
    public async Task The_host_keeps_the_read_model_in_its_own_file_and_none_of_it_in_the_journals()
    {
        await using var database = SqliteDatabase.Create();
        await using var host = new BankFactory(database);
        using var client = host.CreateClient();

        var id = await OpenAndReadBackAsync(client);

        var readModelFile = Path.Combine(Path.GetDirectoryName(database.File)!, "bank-read-model.db");
        Assert.Contains("account_summary", await TablesAsync(readModelFile));
        Assert.DoesNotContain("journal", await TablesAsync(readModelFile));
        var journalTables = await TablesAsync(database.File);
        Assert.Contains("journal", journalTables);
        Assert.DoesNotContain("account_summary", journalTables);
        Assert.DoesNotContain("projection_offset", journalTables);
        Assert.Equal(1L, Convert.ToInt64(await ScalarAsync(readModelFile, $"SELECT count(*) FROM account_summary WHERE account_id = '{id}'")));
    }

    [Fact]
    public async Task A_read_model_file_of_its_own_is_checkpointed_in_the_background_and_its_commits_only_far_later()
    {
        await using var database = SqliteDatabase.Create();
        await using var host = new BankFactory(database);
        using var client = host.CreateClient();
        await OpenAndReadBackAsync(client);

        var readSide = host.Services.GetRequiredService<BankReadSide>();
        Assert.NotNull(readSide.WalCheckpointer);
        Assert.Equal(4 * SqliteProjectionDatabase.DefaultWalAutoCheckpoint, await WalAutoCheckpointAsync(readSide));
    }

    [Fact]
    public async Task In_the_journals_file_the_read_model_has_no_checkpointer_of_its_own()
    {
        await using var database = SqliteDatabase.Create();
        await using var host = new BankFactory(database, $"bank.read-model.sqlite.connection-string = {JsonSerializer.Serialize(database.ConnectionString)}");
        using var client = host.CreateClient();
        await OpenAndReadBackAsync(client);

        var readSide = host.Services.GetRequiredService<BankReadSide>();
        Assert.Null(readSide.WalCheckpointer);
        Assert.Equal(SqliteProjectionDatabase.DefaultWalAutoCheckpoint, await WalAutoCheckpointAsync(readSide));
    }

    [Fact]
    public async Task The_read_model_can_stay_in_the_journals_file()
    {
        await using var database = SqliteDatabase.Create();
        await using var host = new BankFactory(database, $"bank.read-model.sqlite.connection-string = {JsonSerializer.Serialize(database.ConnectionString)}");
        using var client = host.CreateClient();

        var id = await OpenAndReadBackAsync(client);

        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(database.File)!, "bank-read-model.db")));
        Assert.Equal(1L, Convert.ToInt64(await ScalarAsync(database.File, $"SELECT count(*) FROM account_summary WHERE account_id = '{id}'")));
    }

    /// <summary>Opens an account and reads it back from the read model (read-your-writes with the answer's offset).</summary>
    private static async Task<string> OpenAndReadBackAsync(HttpClient client)
    {
        var id = BankHttp.NewAccountId();
        var opened = await (await client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"File","initialDeposit":5}"""))
            .ExpectAsync(HttpStatusCode.Created);
        var page = await (await client.GetAsync($"/accounts/{id}/transactions?minOffset={opened.Offset()}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(5m, page.GetProperty("transactions").EnumerateArray().Single().GetProperty("balanceAfter").GetDecimal());
        return id;
    }

    /// <summary>The automatic checkpoint of a connection the read model's database opens (with its PRAGMAs).</summary>
    private static async Task<long> WalAutoCheckpointAsync(BankReadSide readSide)
    {
        await using var connection = await readSide.Database.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_autocheckpoint";
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static async Task<List<string>> TablesAsync(string file)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        return tables;
    }

    private static async Task<object?> ScalarAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
