using Bank.Domain;
using Bank.ReadModels.Tests.Infrastructure;

namespace Bank.ReadModels.Tests;

/// <summary>
/// The invariant of the read side under concurrency: many accounts written at once through their actors (the journal
/// batches their writes, and on PostgreSQL transactions commit out of ordering order), the projection following live;
/// once it has every event, the read model says what the writers say, account by account and in sum per currency.
/// </summary>
public abstract partial class ProjectionSpecs
{
    [Fact]
    public async Task Under_concurrent_writes_of_many_accounts_the_read_model_ends_equal_to_the_writers_state()
    {
        const int accounts = 24;
        const int rounds = 12;
        string[] currencies = ["EUR", "CHF", "USD"];
        var ids = Enumerable.Range(0, accounts).Select(i => $"load-{i:00}").ToArray();
        await Side.Projection.StartAsync();

        await Writer.SendAllAsync([.. ids.Select((id, i) => Writer.Open(id, owner: i % 2 == 0 ? "Ada" : "Bob", initialDeposit: 10m, currency: currencies[i % 3]))]);
        var random = new Random(4711);
        var writes = new List<Task<long>>();
        for (var round = 0; round < rounds; round++)
        {
            // Each round: every account gets a deposit or a withdrawal, all written concurrently (one actor each).
            writes.Add(Writer.SendAllAsync([.. ids.Select(id => random.Next(3) == 0 && Writer.State(id).Balance >= 1m
                ? (AccountCommand)Writer.Withdraw(id, 1m)
                : Writer.Deposit(id, random.Next(1, 500) / 100m))]));
            await writes[^1];
        }
        var last = (await Task.WhenAll(writes)).Max();
        await Side.CaughtUpToAsync(last, TimeSpan.FromSeconds(30));

        // Every account's every event, whatever order the transactions committed in.
        await Eventually.TrueAsync(async () =>
        {
            foreach (var id in ids)
            {
                if ((await Side.Queries.GetAccountAsync(id))?.Version != Writer.State(id).Version) return false;
            }
            return true;
        }, TimeSpan.FromSeconds(30), () => Side.Projection.Status.ToString());

        foreach (var id in ids)
        {
            var summary = await Side.Queries.GetAccountAsync(id);
            Assert.Equal((Writer.State(id).Balance, Writer.State(id).Version), (summary!.Balance, summary.Version));
            Assert.Equal(Writer.State(id).Version - 1, (await AllTransactionsAsync(id)).Count);
        }
        var totals = await Side.Queries.GetTotalsAsync();
        foreach (var currency in currencies)
        {
            var mine = ids.Where((_, i) => currencies[i % 3] == currency).ToList();
            Assert.Equal(mine.Sum(id => Writer.State(id).Balance), totals.For(currency).TotalBalance);
            Assert.Equal(mine.Count, totals.For(currency).AccountsOpen);
        }
        Assert.True(Side.Projection.PendingGaps.IsEmpty, Side.Projection.PendingGaps.ToString());
    }

    private async Task<List<AccountTransaction>> AllTransactionsAsync(string accountId)
    {
        var all = new List<AccountTransaction>();
        int? offset = 0;
        while (offset is { } next)
        {
            var page = await Side.Queries.GetTransactionsAsync(accountId, next, BankReadModel.MaxPageSize);
            all.AddRange(page.Items);
            offset = page.NextOffset;
        }
        return all;
    }
}
