using Bank.Host.Hosting;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bank.Host.Tests;

/// <summary>
/// A database written by the earlier home-made runtime (its tag table is <c>event_tag</c>) is recognised before the actor
/// system starts and refused with what to do; nothing in it is read or changed.
/// </summary>
public abstract class LegacyDatabaseScenarios
{
    protected abstract Task<BankDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task A_database_of_the_earlier_runtime_is_refused_at_start_up_and_left_as_it_was()
    {
        await using var database = await CreateDatabaseAsync();
        await database.ExecuteAsync("CREATE TABLE event_tag (ordering BIGINT NOT NULL, tag TEXT NOT NULL)");
        await database.ExecuteAsync("INSERT INTO event_tag (ordering, tag) VALUES (1, 'account')");
        var hocon = BankHocon.Load(database.Hocon);

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new JournalDatabase(hocon, NullLogger<JournalDatabase>.Instance).StartAsync(CancellationToken.None));

        Assert.Contains("earlier Actors runtime", refusal.Message);
        Assert.Contains("event_tag", refusal.Message);
        Assert.Contains("new", refusal.Message); // says what to do: start on a new database
        Assert.Equal(1L, Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM event_tag")));
        Assert.Equal(0L, Convert.ToInt64(await database.ScalarAsync(database.Journal == "sqlite"
            ? "SELECT count(*) FROM sqlite_master WHERE name = 'journal'"
            : "SELECT count(*) FROM information_schema.tables WHERE table_name = 'journal'")));
    }

    [Fact]
    public async Task The_host_does_not_start_on_a_database_of_the_earlier_runtime()
    {
        await using var database = await CreateDatabaseAsync();
        await database.ExecuteAsync("CREATE TABLE event_tag (ordering BIGINT NOT NULL, tag TEXT NOT NULL)");

        var refusal = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var factory = new BankFactory(database);
            using var client = factory.CreateClient();
            await client.GetAsync("/health/live");
        });

        Assert.Contains("earlier Actors runtime", refusal.ToString());
    }
}

public sealed class SqliteLegacyDatabaseScenarios : LegacyDatabaseScenarios
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresLegacyDatabaseScenarios(PostgresServer server) : LegacyDatabaseScenarios
{
    protected override async Task<BankDatabase> CreateDatabaseAsync() => await PostgresDatabase.CreateAsync(server);
}
