using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.Host.Tests;

/// <summary>
/// Many transfers at once between few accounts: 100 accounts, 10,000 random transfers (some beyond the balance, some to
/// accounts that do not exist), all in flight together. Money is conserved, no balance is ever negative, every transfer
/// ends, each account's balance is exactly what its completed transfers say, and the read model agrees.
/// </summary>
public abstract class TransferLoadScenarios(DatabaseFixture fixture, ITestOutputHelper output) : HostScenario(fixture)
{
    private const int Accounts = 100;
    private const int Transfers = 10_000;
    private const decimal Opening = 100m;
    private const int InFlight = 256;

    [Fact]
    public async Task Ten_thousand_random_concurrent_transfers_between_100_accounts_conserve_money_and_never_overdraw()
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(13);
        var prefix = "load-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var ids = Enumerable.Range(0, Accounts).Select(i => $"{prefix}{i}").ToArray();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, ct) =>
            await (await Client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Load","initialDeposit":{{Opening}}}""", cancellationToken: ct))
                .ExpectAsync(HttpStatusCode.Created));

        var plan = Enumerable.Range(0, Transfers).Select(_ =>
        {
            var from = random.Next(Accounts);
            var to = (from + 1 + random.Next(Accounts - 1)) % Accounts;
            // One in 50 goes to an account nobody opened: debited, then refunded.
            var target = random.Next(50) == 0 ? $"{prefix}ghost-{to}" : ids[to];
            return (Id: Guid.NewGuid(), From: ids[from], To: target, Amount: random.Next(1, 6001) / 100m);
        }).ToArray();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (t, ct) =>
            await Client.RequestUntilAcceptedAsync(t.From, t.To, t.Amount, t.Id, ct));
        output.WriteLine($"{Transfers} transfers accepted after {clock.Elapsed.TotalSeconds:0.0} s");

        var outcomes = new ConcurrentDictionary<Guid, string>();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (t, _) =>
            outcomes[t.Id] = (await Client.EndedTransferAsync(t.Id, TimeSpan.FromSeconds(60))).GetProperty("status").GetString()!);
        output.WriteLine($"all ended after {clock.Elapsed.TotalSeconds:0.0} s: {outcomes.Values.Count(s => s == "completed")} completed, "
                         + $"{outcomes.Values.Count(s => s == "failed")} failed");

        // Each balance is the opening plus exactly its completed transfers, so none applied twice or got lost.
        var expected = ids.ToDictionary(id => id, _ => Opening);
        foreach (var t in plan.Where(t => outcomes[t.Id] == "completed"))
        {
            expected[t.From] -= t.Amount;
            expected[t.To] += t.Amount;
        }
        var balances = new ConcurrentDictionary<string, decimal>();
        await Parallel.ForEachAsync(ids, async (id, _) => balances[id] = (await Client.GetAccountAsync(id)).Balance());
        Assert.Equal(expected.OrderBy(e => e.Key), balances.OrderBy(e => e.Key));
        Assert.Equal(Accounts * Opening, balances.Values.Sum());
        Assert.All(balances.Values, balance => Assert.True(balance >= 0m));
        Assert.Contains("failed", outcomes.Values);
        Assert.True(outcomes.Values.Count(s => s == "completed") > Transfers / 2);

        // The read model: the same balances, no money in flight, and no history row below zero.
        await BankHttp.EventuallyAsync(async () =>
        {
            var stats = await Client.CurrencyStatsAsync();
            return stats.GetProperty("moneyInFlight").GetDecimal() == 0m
                   && stats.GetProperty("totalBalance").GetDecimal() == stats.GetProperty("totalDeposited").GetDecimal() - stats.GetProperty("totalWithdrawn").GetDecimal()
                   && (await Task.WhenAll(ids.Take(10).Select(async id => (await Client.TransactionsSoFarAsync(id)).LastOrDefault()))).All(last => last.ValueKind != default);
        }, TimeSpan.FromSeconds(60), "the read model settles");
        foreach (var id in ids)
        {
            await BankHttp.EventuallyAsync(async () =>
            {
                var history = await Client.AllTransactionsAsync(id);
                return history.Count > 0 && history[^1].GetProperty("balanceAfter").GetDecimal() == balances[id];
            }, TimeSpan.FromSeconds(60), $"the read model has account {id}'s balance");
            Assert.All(await Client.AllTransactionsAsync(id), row => Assert.True(row.GetProperty("balanceAfter").GetDecimal() >= 0m));
        }
        output.WriteLine($"checked after {clock.Elapsed.TotalSeconds:0.0} s");
    }
}

public sealed class SqliteTransferLoadScenarios(DatabaseFixture fixture, ITestOutputHelper output)
    : TransferLoadScenarios(fixture, output), IClassFixture<DatabaseFixture>
{
    protected override Task<BankDatabase> CreateDatabaseAsync() => Task.FromResult<BankDatabase>(SqliteDatabase.Create());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresTransferLoadScenarios(PostgresServer server, DatabaseFixture fixture, ITestOutputHelper output)
    : TransferLoadScenarios(fixture, output), IClassFixture<DatabaseFixture>
{
    protected override async Task<BankDatabase> CreateDatabaseAsync() => await PostgresDatabase.CreateAsync(server);
}
