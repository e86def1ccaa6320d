using Bank.ReadModels.Projections;
using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>
/// The read model's schema version: a database left by a version with other tables is rebuilt from the journal on
/// start; an up-to-date one goes on from its stored offset.
/// </summary>
public abstract partial class BankReadModelSpecs
{
    [Theory]
    [InlineData(false)] // as the first version left it: no version table at all
    [InlineData(true)] // a version table naming another version
    public async Task A_read_model_of_another_schema_version_is_dropped_and_rebuilt_from_offset_0(bool withVersionRow)
    {
        var highest = await WriteHistoryAsync();
        await ProjectedAsync(highest);
        var expected = await ReadModelTables.DumpAsync(Side.Database);
        await Side.Projection.StopAsync();
        await Side.Database.InTransactionAsync(async (session, ct) =>
        {
            // The previous bank_totals: one row for every currency together, with the offset at the journal's end.
            var money = session.Dialect == SqlDialect.Sqlite ? "TEXT" : "NUMERIC";
            var totals = session.Table("bank_totals");
            await session.ExecuteAsync($"DROP TABLE {totals}", ct);
            await session.ExecuteAsync(
                $"""
                CREATE TABLE {totals} (
                    id BIGINT NOT NULL PRIMARY KEY CHECK (id = 1), accounts_open BIGINT NOT NULL, accounts_closed BIGINT NOT NULL,
                    total_balance {money} NOT NULL, total_deposited {money} NOT NULL, total_withdrawn {money} NOT NULL)
                """, ct);
            await session.ExecuteAsync($"INSERT INTO {totals} VALUES (1, 3, 1, @balance, @deposited, @withdrawn)", ct,
                ("balance", 21.33m), ("deposited", 24.33m), ("withdrawn", 3m));
            // A summary the replay must overwrite: the tables are recreated, not kept.
            await session.ExecuteAsync($"UPDATE {session.Table("account_summary")} SET balance = @balance WHERE account_id = 'h-1'", ct, ("balance", 999m));
            var version = session.Table("bank_read_model_version");
            if (withVersionRow) await session.ExecuteAsync($"UPDATE {version} SET version = 1", ct);
            else await session.ExecuteAsync($"DROP TABLE {version}", ct);
        }, CancellationToken.None);

        var log = new RecordingLog();
        var restarted = Side.NewProjection(log: log);
        await using (restarted)
        {
            await restarted.StartAsync();
            await ReadSide.CaughtUpToAsync(restarted, highest);
            Assert.Contains(log.Warnings, w => w.Contains("rebuilt from offset 0", StringComparison.Ordinal));

            Assert.Equal(expected, await ReadModelTables.DumpAsync(Side.Database));
            Assert.Equal(highest, restarted.Status.EventsHandled); // every event again, from offset 0
            Assert.Equal(0, restarted.Status.Restarts);
        }

        // Rebuilt once: the next start goes on from the stored offset.
        var again = Side.NewProjection();
        await using (again)
        {
            await again.StartAsync();
            Assert.Equal(highest, again.Offset);
            var deposit = await Writer.DepositAsync("h-1", 2m);
            await ReadSide.CaughtUpToAsync(again, deposit);
            Assert.Equal(1, again.Status.EventsHandled);
            Assert.Equal(Writer.State("h-1").Balance, (await Queries.GetAccountAsync("h-1"))!.Balance);
        }
    }

    [Fact]
    public async Task A_new_read_model_is_created_without_a_rebuild_warning()
    {
        // A new database: the projection creates its offset row (at 0) and then the read model's tables.
        var log = new RecordingLog();
        var fresh = Side.NewProjection(log: log);
        await using (fresh)
        {
            await fresh.StartAsync();
            var opened = await Writer.OpenAsync("n-1", initialDeposit: 5m);
            await ReadSide.CaughtUpToAsync(fresh, opened);
            Assert.Equal(5m, (await Queries.GetAccountAsync("n-1"))!.Balance);
            Assert.Empty(log.Warnings);
        }
    }
}
