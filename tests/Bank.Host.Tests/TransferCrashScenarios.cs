using System.Collections.Concurrent;
using System.Net;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.Host.Tests;

/// <summary>
/// The built host as a process of its own is SIGKILLed in the middle of a load of transfers and started again on the
/// same database. The transfers it left pending resume by themselves (nobody asks for them: their money in flight
/// drains to zero), every unanswered request is sent again with its transfer id, and then every transfer has ended
/// completed or failed, each balance is its opening plus exactly its completed transfers (money conserved, nothing
/// applied twice), and the read model agrees.
/// </summary>
public abstract class TransferCrashScenarios() : HostProcessScenario("transfer-crash")
{
    private const int Accounts = 40;
    private const int Transfers = 1500;
    private const int InFlight = 32;
    private const int KillAfterAnswers = 400;
    private const decimal Opening = 500m;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_host_killed_mid_transfers_and_restarted_ends_every_transfer_and_conserves_money()
    {
        var environment = await EnvironmentAsync();
        var workingDirectory = Path.Combine(Directory, "host");
        var random = new Random(20261213);
        var accounts = Enumerable.Range(0, Accounts).Select(i => $"tc-{i:D2}-{Guid.NewGuid():N}"[..20]).ToArray();
        var plan = Enumerable.Range(0, Transfers).Select(_ =>
        {
            var from = random.Next(Accounts);
            var to = (from + 1 + random.Next(Accounts - 1)) % Accounts;
            return new Planned(Guid.NewGuid(), accounts[from], random.Next(30) == 0 ? $"ghost-{to}" : accounts[to], random.Next(1, 20_001) / 100m);
        }).ToArray();
        var accepted = new ConcurrentDictionary<Guid, bool>();

        await using (var first = await HostProcess.StartAsync(environment, workingDirectory, StartTimeout))
        {
            await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
                await (await first.Client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"TransferCrash","initialDeposit":{{Opening}}}"""))
                    .ExpectAsync(HttpStatusCode.Created));

            var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var load = Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (t, _) =>
            {
                // Once the kill is due, no request starts before it has happened: the rest meet a dead host, so the kill
                // lands in the middle of the load however slowly the machine gets round to it.
                if (killNow.Task.IsCompleted) await killed.Task;
                if (!await TryRequestAsync(first.Client, t)) return;
                accepted[t.Id] = true;
                // At least, not exactly: two answers counted at once can step over the mark together.
                if (accepted.Count >= KillAfterAnswers) killNow.TrySetResult();
            });
            await Task.WhenAny(killNow.Task, load);
            await first.KillAsync();
            killed.TrySetResult();
            await load;
        }
        var unanswered = plan.Where(t => !accepted.ContainsKey(t.Id)).ToList();
        Assert.True(unanswered.Count > 0, "Every transfer was answered before the kill: it was not in the middle of the load.");

        await using var second = await HostProcess.StartAsync(environment, workingDirectory, StartTimeout);

        // Nobody touches the transfers accepted before the kill: those the crash left with money in flight (debited, neither
        // credited nor refunded) finish by themselves, and the accounts hold all the money again.
        await BankHttp.EventuallyAsync(async () => await SumOfBalancesAsync(second.Client, accounts) == Accounts * Opening,
            TimeSpan.FromSeconds(60), $"the transfers pending at the kill resume by themselves\n{second.Output}");

        await Parallel.ForEachAsync(unanswered, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (t, _) =>
        {
            for (var attempt = 1; !await TryRequestAsync(second.Client, t); attempt++)
                Assert.True(attempt < 10, $"Transfer {t.Id} got no answer after the restart in {attempt} attempts.\n{second.Output}");
        });

        var outcomes = new ConcurrentDictionary<Guid, string>();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (t, _) =>
            outcomes[t.Id] = (await second.Client.EndedTransferAsync(t.Id, TimeSpan.FromSeconds(60))).GetProperty("status").GetString()!);
        Assert.All(outcomes.Values, status => Assert.Contains(status, new[] { "completed", "failed" }));
        Assert.Contains("failed", outcomes.Values);

        var expected = accounts.ToDictionary(id => id, _ => Opening);
        foreach (var t in plan.Where(t => outcomes[t.Id] == "completed"))
        {
            expected[t.From] -= t.Amount;
            expected[t.To] += t.Amount;
        }
        var balances = new Dictionary<string, decimal>();
        foreach (var id in accounts) balances[id] = (await second.Client.GetAccountAsync(id)).Balance();
        Assert.Equal(expected.OrderBy(e => e.Key), balances.OrderBy(e => e.Key));
        Assert.Equal(Accounts * Opening, balances.Values.Sum());

        // The read model agrees: same balances, every transfer settled, totals unchanged by transfers. (The projection's
        // offset cannot be compared with the journal's highest: transfer events and remembered entities are not its tag.)
        var listed = new Dictionary<string, decimal>();
        await BankHttp.EventuallyAsync(async () =>
        {
            listed = (await (await second.Client.GetAsync("/accounts?owner=TransferCrash&limit=1000")).ExpectAsync(HttpStatusCode.OK))
                .GetProperty("accounts").EnumerateArray().ToDictionary(a => a.GetProperty("accountId").GetString()!, a => a.Balance());
            return listed.Count == Accounts && accounts.All(id => listed[id] == balances[id]);
        }, TimeSpan.FromSeconds(30), "the read model to have every account's balance");
        var euros = await second.Client.CurrencyStatsAsync();
        Assert.Equal((Accounts * Opening, Accounts * Opening, 0m),
            (euros.GetProperty("totalBalance").GetDecimal(), euros.GetProperty("totalDeposited").GetDecimal(), euros.GetProperty("moneyInFlight").GetDecimal()));
        foreach (var id in accounts.Take(5))
        {
            var settled = await second.Client.AccountTransfersAsync(id);
            Assert.All(settled, t => Assert.Equal(outcomes[t.GetProperty("transferId").GetGuid()], t.GetProperty("status").GetString()));
        }
    }

    /// <summary>
    /// The sum of the accounts' balances. Right after the restart the accounts recover while the resumed transfers ask them
    /// too, and a read can outlast the ask timeout: its 503 is asked again.
    /// </summary>
    private static async Task<decimal> SumOfBalancesAsync(HttpClient client, IEnumerable<string> accounts)
    {
        var sum = 0m;
        foreach (var id in accounts)
            sum += (await BankHttp.ExpectSettledAsync(() => client.GetAsync($"/accounts/{id}"), HttpStatusCode.OK)).Balance();
        return sum;
    }

    /// <summary>True for 202 (the transfer exists); false when the outcome is unknown (no answer, 503).</summary>
    private static async Task<bool> TryRequestAsync(HttpClient client, Planned t)
    {
        try
        {
            using var response = await client.PostJsonAsync("/transfers", TransferHttp.Body(t.From, t.To, t.Amount, t.Id));
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");
                return false;
            }
            await response.ExpectAsync(HttpStatusCode.Accepted);
            return true;
        }
        catch (Exception e) when (NoAnswer.Is(e))
        {
            return false; // the host died under this request, or before it
        }
        catch (TaskCanceledException)
        {
            return false; // the host died and the client gave up waiting
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
        {
            return false; // the host died while the connection was being set up or read
        }
    }

    private sealed record Planned(Guid Id, string From, string To, decimal Amount);
}

/// <summary>The transfer crash on SQLite: a file of its own (BANK_SQLITE).</summary>
public sealed class SqliteTransferCrashScenarios : TransferCrashScenarios
{
    protected override Task<IReadOnlyDictionary<string, string>> EnvironmentAsync() => SqliteEnvironment();
}

/// <summary>The transfer crash on PostgreSQL: a database of its own.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTransferCrashScenarios(PostgresServer server) : TransferCrashScenarios
{
    protected override Task<IReadOnlyDictionary<string, string>> EnvironmentAsync() => PostgresEnvironmentAsync(server);
}
