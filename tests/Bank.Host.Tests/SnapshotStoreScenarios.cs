using System.Globalization;
using System.Net;
using Bank.Host.Hosting;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.Host.Tests;

/// <summary>
/// The snapshot store (bank.snapshot-store): ours (fast-sql) by default, Akka.Persistence.Sql's on request, on one
/// table, so a database switches in either direction and an account recovers from the other store's snapshot.
/// </summary>
public abstract class SnapshotStoreScenarios(DatabaseFixture fixture) : DatabaseScenario(fixture)
{
    [Theory]
    [InlineData("fast-sql", "akka-sql")]
    [InlineData("akka-sql", "fast-sql")]
    public async Task An_account_recovers_from_a_snapshot_the_other_store_took(string before, string after)
    {
        var settings = $"bank.accounts.snapshot-every = 3\nbank.snapshot-store = {before}";
        var id = BankHttp.NewAccountId();
        await using (var first = new BankFactory(Database, settings))
        {
            Assert.Equal($"akka.persistence.snapshot-store.{(before == "akka-sql" ? "sql" : before)}", first.Hocon.SnapshotStorePlugin);
            using var client = first.CreateClient();
            await (await client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Snap","initialDeposit":100}""")).ExpectAsync(HttpStatusCode.Created);
            for (var i = 1; i <= 5; i++)
                await (await client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":2.5}""", $"{id}-d{i}")).ExpectAsync(HttpStatusCode.OK);
            // Versions 1..7; snapshots at 3 and 6, taken after the answer: wait for the last.
            await BankHttp.EventuallyAsync(async () => await HighestSnapshotAsync(id) == 6, TimeSpan.FromSeconds(10), $"a snapshot of {id} at 6");
        }
        // Only the snapshot can tell the next host about versions 1..6.
        await Database.ExecuteAsync($"DELETE FROM tags WHERE persistence_id = '{id}' AND sequence_nr <= 6");
        Assert.Equal(6, await Database.ExecuteAsync($"DELETE FROM journal WHERE persistence_id = '{id}' AND sequence_number <= 6"));

        await using var second = new BankFactory(Database, $"bank.accounts.snapshot-every = 3\nbank.snapshot-store = {after}");
        using var again = second.CreateClient();
        var account = await again.GetAccountAsync(id);

        Assert.Equal((112.5m, 7L), (account.Balance(), account.Version()));
        var retry = await again.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":2.5}""", $"{id}-d2");
        Assert.True(retry.WasReplayed());
        Assert.Equal(4L, (await retry.ExpectAsync(HttpStatusCode.OK)).Version());
    }

    [Fact]
    public void The_product_snapshots_with_fast_sql_and_a_wrong_name_is_refused()
    {
        Assert.Equal("akka.persistence.snapshot-store.fast-sql", BankHocon.Load().SnapshotStorePlugin);
        Assert.Equal("akka.persistence.snapshot-store.fast-sql", BankHocon.Load().AkkaConfig.GetString("akka.persistence.snapshot-store.plugin"));
        var error = Assert.Throws<InvalidOperationException>(() => BankHocon.Load("bank.snapshot-store = redis").SnapshotStorePlugin);
        Assert.Contains("fast-sql or akka-sql", error.Message);
    }

    private async Task<long> HighestSnapshotAsync(string id) =>
        Convert.ToInt64(await Database.ScalarAsync($"SELECT coalesce(max(sequence_number), 0) FROM snapshot WHERE persistence_id = '{id}'"), CultureInfo.InvariantCulture);
}

public sealed class SqliteSnapshotStoreScenarios(DatabaseFixture fixture) : SnapshotStoreScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSnapshotStoreScenarios(PostgresServer server, DatabaseFixture fixture) : SnapshotStoreScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override async Task<BankDatabase> CreateDatabaseAsync() => await PostgresDatabase.CreateAsync(server);
}
