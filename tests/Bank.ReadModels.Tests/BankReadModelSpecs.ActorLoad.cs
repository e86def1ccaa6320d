using System.Collections.Concurrent;
using Bank.Actors;
using Bank.Domain;

namespace Bank.ReadModels.Tests;

/// <summary>
/// The invariant of the read side: under a random concurrent load through the real account actors (overdraws refused
/// by them), once the projection has caught up, the read model says what the actors say, account by account and in sum
/// for each currency.
/// </summary>
public abstract partial class BankReadModelSpecs
{
    private const int LoadAccounts = 50;
    private const int LoadOperations = 400;
    private const int LoadLanes = 16;
    private static readonly string[] LoadOwners = ["Ada", "Bob", "Cy"];
    private static readonly string[] LoadCurrencies = ["EUR", "CHF", "USD"];

    private enum LoadKind
    {
        Deposit,
        Withdraw,
        DrainAndClose,
    }

    private sealed record LoadOperation(string AccountId, LoadKind Kind, decimal Amount);

    [Fact]
    public async Task After_a_random_concurrent_load_through_the_account_actors_the_read_model_equals_the_actors_state()
    {
        var seed = Random.Shared.Next();
        try
        {
            await RunLoadAndCompareAsync(seed);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"With random seed {seed}: {e.Message}", e);
        }
    }

    private async Task RunLoadAndCompareAsync(int seed)
    {
        // Everything random is drawn here, on one thread, so that a seed replays the same load.
        var random = new Random(seed);
        var ids = Enumerable.Range(1, LoadAccounts).Select(i => $"load-{i:00}").ToArray();
        var initialDeposits = ids.Select(_ => random.Next(3) == 0 ? 0m : Money(random, 200m)).ToArray();
        // Every currency has an account; the rest are drawn.
        var currencies = ids.Select((_, i) => i < LoadCurrencies.Length ? LoadCurrencies[i] : LoadCurrencies[random.Next(LoadCurrencies.Length)]).ToArray();
        var operations = Enumerable.Range(0, LoadOperations).Select(_ =>
        {
            var id = ids[random.Next(ids.Length)];
            var dice = random.Next(100);
            return dice < 52 ? new LoadOperation(id, LoadKind.Deposit, Money(random, 200m))
                : dice < 94 ? new LoadOperation(id, LoadKind.Withdraw, Money(random, 400m)) // often more than the balance
                : new LoadOperation(id, LoadKind.DrainAndClose, 0m);
        }).ToArray();

        await Side.Projection.StartAsync(); // following live while the load runs
        var replies = new ConcurrentQueue<(AccountCommand Command, AccountReply Reply)>();
        await using var actors = new AccountActors(Side, new AccountSettings { SnapshotEvery = 7 });
        async Task SendAsync(AccountCommand command) => replies.Enqueue((command, await actors.Gateway.SendAsync(command)));

        await Task.WhenAll(ids.Select((id, i) => SendAsync(new OpenAccount(id, LoadOwners[i % LoadOwners.Length], currencies[i], initialDeposits[i], Guid.NewGuid(), Now()))));
        await Task.WhenAll(Enumerable.Range(0, LoadLanes).Select(lane => Task.Run(async () =>
        {
            for (var i = lane; i < operations.Length; i += LoadLanes)
            {
                var operation = operations[i];
                switch (operation.Kind)
                {
                    case LoadKind.Deposit:
                        await SendAsync(new Deposit(operation.AccountId, operation.Amount, Guid.NewGuid(), Now()));
                        break;
                    case LoadKind.Withdraw:
                        await SendAsync(new Withdraw(operation.AccountId, operation.Amount, Guid.NewGuid(), Now()));
                        break;
                    default:
                        // Other lanes may move the balance in between: the withdrawal or the close may then be refused.
                        var balance = (await actors.Gateway.GetAsync(operation.AccountId)).Balance;
                        if (balance > 0) await SendAsync(new Withdraw(operation.AccountId, balance, Guid.NewGuid(), Now()));
                        await SendAsync(new CloseAccount(operation.AccountId, Guid.NewGuid(), Now()));
                        break;
                }
            }
        })));

        var accepted = replies.Where(r => r.Reply is AccountReply.Accepted).ToList();
        var rejected = replies.Select(r => r.Reply).OfType<AccountReply.Rejected>().Select(r => r.Rejection.Code).ToList();
        Assert.Contains(RejectionCode.InsufficientFunds, rejected); // the load did try to overdraw
        Assert.All(accepted, r => Assert.False(((AccountReply.Accepted)r.Reply).WasDuplicate));
        Assert.All(accepted, r => Assert.True(((AccountReply.Accepted)r.Reply).View.Balance >= 0m));
        var highest = accepted.Max(r => ((AccountReply.Accepted)r.Reply).Ordering);
        Assert.Equal(highest, await Side.ReadJournal.HighestOffsetAsync());

        await Side.CaughtUpToAsync(highest, TimeSpan.FromSeconds(15));

        var states = new List<AccountState>();
        foreach (var id in ids)
        {
            var state = await actors.Gateway.GetAsync(id);
            states.Add(state);
            Assert.Equal(
                new AccountSummary(id, state.Owner!, state.Currency!, state.Balance, state.Status, state.Version, state.OpenedAt!.Value, state.LastActivityAt!.Value),
                await Queries.GetAccountAsync(id));
            AssertTransactionsLeadTo(state, await AllTransactionsAsync(id, limit: 7));
        }
        Assert.Equal(ids, (await AllAccountsAsync(new AccountListQuery(Limit: 9))).Select(a => a.AccountId));
        Assert.Contains(states, s => s.Status == AccountStatus.Closed);

        // The totals of each currency are the sums over that currency's accounts, by the actors' word.
        var currencyOf = ids.Select((id, i) => (id, currencies[i])).ToDictionary(p => p.id, p => p.Item2, StringComparer.Ordinal);
        Assert.Equal(currencyOf.Values, states.Select(s => s.Currency!));
        var expected = LoadCurrencies.Order(StringComparer.Ordinal).Select(currency =>
        {
            var accounts = states.Where(s => s.Currency == currency).ToList();
            var commands = accepted.Select(r => r.Command).Where(c => currencyOf[c.AccountId] == currency).ToList();
            return new CurrencyTotals(currency,
                accounts.Count(s => s.Status == AccountStatus.Open), accounts.Count(s => s.Status == AccountStatus.Closed),
                accounts.Sum(s => s.Balance),
                commands.Sum(c => c switch { OpenAccount o => o.InitialDeposit, Deposit d => d.Amount, _ => 0m }),
                commands.Sum(c => c is Withdraw w ? w.Amount : 0m));
        }).ToList();
        var totals = await Queries.GetTotalsAsync();
        Assert.Equal(expected, totals.Currencies);
        Assert.Equal((states.Count(s => s.Status == AccountStatus.Open), states.Count(s => s.Status == AccountStatus.Closed)),
            ((int)totals.AccountsOpen, (int)totals.AccountsClosed));
        Assert.True(Side.Projection.Status.Restarts == 0, $"The projection failed on the way: {Side.Projection.Status}");
    }

    /// <summary>The transactions are every deposit and withdrawal of the account, in version order, each with the running balance.</summary>
    private static void AssertTransactionsLeadTo(AccountState state, List<AccountTransaction> transactions)
    {
        var expectedCount = state.Version - 1 - (state.Status == AccountStatus.Closed ? 1 : 0);
        Assert.Equal(expectedCount, transactions.Count);
        var balance = 0m;
        var version = 1L;
        foreach (var transaction in transactions)
        {
            Assert.Equal(++version, transaction.Version);
            balance += transaction.Kind == TransactionKind.Deposit ? transaction.Amount : -transaction.Amount;
            Assert.Equal(balance, transaction.BalanceAfter);
            Assert.True(balance >= 0m);
        }
        Assert.Equal(state.Balance, balance);
    }

    /// <summary>An amount of 0.01 to <paramref name="max"/>, in cents.</summary>
    private static decimal Money(Random random, decimal max) => random.Next(1, (int)(max * 100) + 1) / 100m;

    /// <summary>Now, to the millisecond: the read model keeps times as unix milliseconds.</summary>
    private static DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
}
