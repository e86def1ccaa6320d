using System.Globalization;
using System.Net;
using System.Text.Json;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.Host.Tests;

/// <summary>
/// Black-box restarts: a host is stopped (its factory disposed) and a new one, a new actor system, starts on the same
/// database; what the first one acknowledged must be read back, and retries must still be recognised. On every journal.
/// </summary>
public abstract class RestartScenarios(DatabaseFixture fixture) : DatabaseScenario(fixture)
{
    [Theory]
    [InlineData("group-commit", "akka-sql")]
    [InlineData("akka-sql", "group-commit")]
    public async Task The_journal_writer_can_be_switched_on_a_database_in_either_direction(string before, string after)
    {
        var id = BankHttp.NewAccountId();
        await using (var first = new BankFactory(Database, $"bank.journal-writer = {before}"))
        {
            Assert.Equal($"akka.persistence.journal.{(before == "akka-sql" ? "sql" : before)}", first.Hocon.JournalWriterPlugin);
            using var client = first.CreateClient();
            await (await client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Ada","initialDeposit":100}""")).ExpectAsync(HttpStatusCode.Created);
            await (await client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1.25}""", id + "-d")).ExpectAsync(HttpStatusCode.OK);
        }

        await using var second = new BankFactory(Database, $"bank.journal-writer = {after}");
        using var again = second.CreateClient();
        var replay = await again.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1.25}""", id + "-d");
        Assert.Equal(3L, (await replay.ExpectAsync(HttpStatusCode.OK)).Version());
        Assert.True(replay.WasReplayed());
        var withdrawn = await (await again.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":0.25}""")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((101m, 4L), (withdrawn.Balance(), withdrawn.Version()));
        // The events of both writers are one history, in the journal and in the read model.
        Assert.Equal([1L, 2L, 3L, 4L], (await again.EventsAsync(id)).Select(e => e.GetProperty("version").GetInt64()));
        var listed = await (await again.GetAsync($"/accounts/{id}/transactions?minOffset={withdrawn.Offset()}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, listed.GetProperty("transactions").GetArrayLength());
    }

    [Fact]
    public async Task Balances_versions_and_idempotent_replays_survive_a_restart()
    {
        var id = BankHttp.NewAccountId();
        var closedId = BankHttp.NewAccountId();
        var openKey = "open-" + Guid.NewGuid();
        string generatedId;
        JsonElement deposited;
        await using (var first = new BankFactory(Database))
        {
            using var client = first.CreateClient();
            await (await client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Ada","initialDeposit":100}""")).ExpectAsync(HttpStatusCode.Created);
            deposited = await (await client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":25.5}""", id + "-d")).ExpectAsync(HttpStatusCode.OK);
            await (await client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":10}""", id + "-w")).ExpectAsync(HttpStatusCode.OK);
            await (await client.PostJsonAsync("/accounts", $$"""{"accountId":"{{closedId}}","owner":"Bo"}""")).ExpectAsync(HttpStatusCode.Created);
            await (await client.PostEmptyAsync($"/accounts/{closedId}/close")).ExpectAsync(HttpStatusCode.OK);
            generatedId = (await (await client.PostJsonAsync("/accounts", """{"owner":"Cy"}""", openKey)).ExpectAsync(HttpStatusCode.Created))
                .GetProperty("accountId").GetString()!;
        }

        await using var second = new BankFactory(Database);
        using var again = second.CreateClient();

        var account = await (await again.GetAsync($"/accounts/{id}")).ExpectTextAsync(HttpStatusCode.OK);
        Assert.Equal($$"""{"accountId":"{{id}}","owner":"Ada","currency":"EUR","balance":115.50,"status":"open","version":4}""", account);

        // A retry of a command the first host acknowledged: its first answer, nothing persisted.
        var retry = await again.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":25.50}""", id + "-d");
        var replayed = await retry.ExpectAsync(HttpStatusCode.OK);
        Assert.True(retry.WasReplayed());
        Assert.Equal((deposited.Balance(), deposited.Version(), 0L), (replayed.Balance(), replayed.Version(), replayed.Offset()));
        await (await again.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":11}""", id + "-w"))
            .ExpectProblemAsync(HttpStatusCode.Conflict, "idempotency-conflict", "Idempotency-Key");
        var reopened = await again.PostJsonAsync("/accounts", """{"owner":"Cy"}""", openKey);
        Assert.Equal(generatedId, (await reopened.ExpectAsync(HttpStatusCode.Created)).GetProperty("accountId").GetString());
        Assert.True(reopened.WasReplayed());
        Assert.Equal(4, (await again.EventsAsync(id)).Count);

        // The closed account stays closed; the open one goes on from where it was.
        await (await again.PostJsonAsync($"/accounts/{closedId}/deposits", """{"amount":1}""")).ExpectProblemAsync(HttpStatusCode.Conflict, "account-closed");
        var next = await (await again.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":0.5}""")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((116m, 5L), (next.Balance(), next.Version()));
        Assert.True(next.Offset() > 0);
    }

    [Fact]
    public async Task An_account_recovers_from_its_snapshot_plus_the_events_after_it()
    {
        const string everyThree = "bank.accounts.snapshot-every = 3";
        var id = BankHttp.NewAccountId();
        await using (var first = new BankFactory(Database, everyThree))
        {
            using var client = first.CreateClient();
            await (await client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Snap","initialDeposit":100}""")).ExpectAsync(HttpStatusCode.Created);
            for (var i = 1; i <= 8; i++)
                await (await client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1.01}""", $"{id}-d{i}")).ExpectAsync(HttpStatusCode.OK);
            // Versions 1..10; snapshots at 3, 6 and 9 (the two newest kept), taken after the answer: wait for the last.
            await BankHttp.EventuallyAsync(async () => await HighestSnapshotAsync(id) == 9, TimeSpan.FromSeconds(10), $"a snapshot of {id} at 9");
        }

        // Only the snapshot can tell the next host about versions 1..9: their events go. Version 10 stays.
        await Database.ExecuteAsync($"DELETE FROM tags WHERE persistence_id = '{id}' AND sequence_nr <= 9");
        Assert.Equal(9, await Database.ExecuteAsync($"DELETE FROM journal WHERE persistence_id = '{id}' AND sequence_number <= 9"));

        await using var second = new BankFactory(Database, everyThree);
        using var again = second.CreateClient();
        var account = await (await again.GetAsync($"/accounts/{id}")).ExpectTextAsync(HttpStatusCode.OK);
        Assert.Contains("\"balance\":108.08,", account);
        Assert.Contains("\"version\":10", account);

        // The snapshot carries the remembered commands: a retry from before it and one after it are both recognised.
        foreach (var (key, version, balance) in new[] { ($"{id}-d2", 4L, 102.02m), ($"{id}-d8", 10L, 108.08m) })
        {
            var retry = await again.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1.01}""", key);
            var replayed = await retry.ExpectAsync(HttpStatusCode.OK);
            Assert.True(retry.WasReplayed(), key);
            Assert.Equal((balance, version), (replayed.Balance(), replayed.Version()));
        }
        var next = await (await again.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":1.92}""")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((110m, 11L), (next.Balance(), next.Version()));
    }

    [Fact]
    public async Task A_restarted_host_answers_for_every_account_of_the_one_before()
    {
        var ids = Enumerable.Range(0, 30).Select(_ => BankHttp.NewAccountId()).ToArray();
        await using (var first = new BankFactory(Database))
        {

            using var client = first.CreateClient();
            await Task.WhenAll(ids.Select(async (id, i) =>
            {
                await (await client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Many","initialDeposit":{{i}}}""")).ExpectAsync(HttpStatusCode.Created);
                await (await client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":0.25}""")).ExpectAsync(HttpStatusCode.OK);
            }));
        }

        await using var second = new BankFactory(Database);
        using var again = second.CreateClient();
        // All at once as the first requests of the new host (they once found the read journal still to be made: a 500).
        var accounts = await Task.WhenAll(ids.Select(id => again.GetAccountAsync(id)));
        Assert.Equal(ids.Select((_, i) => (i + 0.25m, i == 0 ? 2L : 3L)), accounts.Select(a => (a.Balance(), a.Version())));
    }

    private async Task<long> HighestSnapshotAsync(string id) =>
        Convert.ToInt64(await Database.ScalarAsync($"SELECT coalesce(max(sequence_number), 0) FROM snapshot WHERE persistence_id = '{id}'"), CultureInfo.InvariantCulture);
}

public sealed class SqliteRestartScenarios(DatabaseFixture fixture) : RestartScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRestartScenarios(PostgresServer server, DatabaseFixture fixture) : RestartScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override async Task<BankDatabase> CreateDatabaseAsync() => await PostgresDatabase.CreateAsync(server);
}
