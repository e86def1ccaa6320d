using System.Data.Common;
using System.Net;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;
using Npgsql;

namespace Bank.Host.Tests;

/// <summary>
/// The journal really fails: another connection holds the lock the host's write needs, past the host's lock/busy timeout.
/// The client never gets a 2xx for a write that did not become durable, reads go on, and once the lock is gone the
/// account recovers from the journal and the retry (same Idempotency-Key) applies the command once.
/// </summary>
public abstract class JournalFailureScenarios(DatabaseFixture fixture) : HostScenario(fixture)
{
    /// <summary>Takes the journal's write lock from a connection of the test's own; disposing the result gives it back.</summary>
    protected abstract Task<IAsyncDisposable> LockJournalAsync();

    [Fact]
    public async Task A_deposit_while_the_journal_is_locked_is_503_and_the_retry_after_applies_it_once()
    {
        var id = await Client.OpenAsync(initialDeposit: 10m);
        var key = "locked-" + id;

        await using (await LockJournalAsync())
        {
            var problem = await (await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":5}""", key))
                .ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");
            Assert.Contains("The journal failed to store the command", problem.Detail());
            Assert.Contains("Idempotency-Key", problem.Detail());

            // Reads do not need the write lock: the account, recovered from the journal, is as before.
            var account = await Client.GetAccountAsync(id);
            Assert.Equal((10m, 2L), (account.Balance(), account.Version()));
            await (await Client.GetAsync("/health/ready")).ExpectAsync(HttpStatusCode.OK);
        }

        var retried = await Client.PostJsonAsync($"/accounts/{id}/deposits", """{"amount":5}""", key);
        var body = await retried.ExpectAsync(HttpStatusCode.OK);
        Assert.False(retried.WasReplayed());
        Assert.Equal((15m, 3L), (body.Balance(), body.Version()));
        Assert.Equal(3, (await Client.EventsAsync(id)).Count);
        var next = await (await Client.PostJsonAsync($"/accounts/{id}/withdrawals", """{"amount":15}""")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((0m, 4L), (next.Balance(), next.Version()));
    }

    [Fact]
    public async Task An_open_while_the_journal_is_locked_is_503_and_the_account_does_not_exist_until_retried()
    {
        await Client.OpenAsync(); // the journal's tables exist before the lock is taken
        var id = BankHttp.NewAccountId();
        var open = $$"""{"accountId":"{{id}}","owner":"Zoe","initialDeposit":1}""";

        await using (await LockJournalAsync())
        {
            await (await Client.PostJsonAsync("/accounts", open, "open-" + id)).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");
            await (await Client.GetAsync($"/accounts/{id}")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        }

        await (await Client.GetAsync($"/accounts/{id}/events")).ExpectProblemAsync(HttpStatusCode.NotFound, "not-found");
        var opened = await (await Client.PostJsonAsync("/accounts", open, "open-" + id)).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal((1m, 2L), (opened.Balance(), opened.Version()));
    }

    /// <summary>Holds a transaction on <paramref name="connection"/>; rolls it back and closes it on dispose.</summary>
    protected sealed class HeldLock(DbConnection connection, DbTransaction? transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (transaction is not null) await transaction.RollbackAsync();
            else
            {
                await using var rollback = connection.CreateCommand();
                rollback.CommandText = "ROLLBACK";
                await rollback.ExecuteNonQueryAsync();
            }
            await connection.DisposeAsync();
        }
    }
}

/// <summary>
/// SQLite: <c>BEGIN EXCLUSIVE</c> from another connection; the host waits at most one second for the file's write lock
/// (<c>Default Timeout=1</c>, Microsoft.Data.Sqlite's busy timeout) and its write then fails with SQLITE_BUSY. In WAL mode
/// readers are not blocked by it.
/// </summary>
public sealed class SqliteJournalFailureScenarios(DatabaseFixture fixture) : JournalFailureScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create(";Default Timeout=1"));

    protected override async Task<IAsyncDisposable> LockJournalAsync()
    {
        var connection = Host.Database.Connect();
        await connection.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN EXCLUSIVE";
        await begin.ExecuteNonQueryAsync();
        return new HeldLock(connection, transaction: null);
    }
}

/// <summary>
/// PostgreSQL: <c>LOCK TABLE journal IN EXCLUSIVE MODE</c> in an open transaction (plain reads go on, inserts wait),
/// and the host's connections give up waiting for a lock after one second (<c>lock_timeout</c>).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalFailureScenarios(PostgresServer server, DatabaseFixture fixture) : JournalFailureScenarios(fixture), IClassFixture<DatabaseFixture>
{
    protected override async Task<BankDatabase> CreateDatabaseAsync() => await PostgresDatabase.CreateAsync(server, ";Options=-c lock_timeout=1000");

    protected override async Task<IAsyncDisposable> LockJournalAsync()
    {
        var connection = (NpgsqlConnection)Host.Database.Connect();
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var lockTable = new NpgsqlCommand("LOCK TABLE journal IN EXCLUSIVE MODE", connection, transaction);
        await lockTable.ExecuteNonQueryAsync();
        return new HeldLock(connection, transaction);
    }
}
