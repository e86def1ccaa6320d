using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Bank.Host.Tests.Infrastructure;
using Bank.Testing;

namespace Bank.Host.Tests;

/// <summary>
/// The built host as a process of its own is SIGKILLed in the middle of a load of deposits and withdrawals, each with its
/// own Idempotency-Key, and started again on the same database: every command that was never answered is sent again
/// with its key, and then every balance must be the opening deposit plus the acknowledged deposits minus the
/// acknowledged withdrawals, each command counted exactly once.
/// </summary>
public abstract class CrashScenarios() : HostProcessScenario("crash")
{
    private const int Accounts = 50;
    private const int Commands = 600;
    private const int InFlight = 32;
    private const int KillAfterAnswers = 200;
    private const decimal OpeningDeposit = 1000m;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_host_killed_mid_load_and_restarted_has_applied_every_acknowledged_command_exactly_once()
    {
        var environment = await EnvironmentAsync();
        var workingDirectory = Path.Combine(Directory, "host"); // not the database's directory: no file watcher on it
        var random = new Random(20261206);
        var accounts = Enumerable.Range(0, Accounts).Select(i => $"crash-{i:D2}-{Guid.NewGuid():N}"[..24]).ToArray();
        var commands = Enumerable.Range(0, Commands)
            .Select(i => new Command($"key-{i}-{Guid.NewGuid():N}", accounts[random.Next(Accounts)], Deposit: random.Next(2) == 0, random.Next(100, 30_000) / 100m))
            .ToArray();
        var outcomes = new ConcurrentDictionary<Command, Outcome>();

        await using (var first = await HostProcess.StartAsync(environment, workingDirectory, StartTimeout))
        {
            await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
                await (await first.Client.PostJsonAsync("/accounts", $$"""{"accountId":"{{id}}","owner":"Crash","initialDeposit":{{OpeningDeposit}}}""")).ExpectAsync(HttpStatusCode.Created));

            var answered = 0;
            var killNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var load = Parallel.ForEachAsync(commands, new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (command, _) =>
            {
                var outcome = await TrySendAsync(first.Client, command, beforeKill: true);
                if (outcome is Outcome.Unknown) return;
                outcomes[command] = outcome;
                if (Interlocked.Increment(ref answered) == KillAfterAnswers) killNow.TrySetResult();
            });
            await Task.WhenAny(killNow.Task, load);
            await first.KillAsync();
            await load;
        }

        var unanswered = commands.Where(c => !outcomes.ContainsKey(c)).ToList();
        Assert.True(outcomes.Count >= KillAfterAnswers, $"Only {outcomes.Count} commands were answered before the kill.");
        Assert.True(unanswered.Count > 0, "Every command was answered before the kill: it was not in the middle of the load.");

        await using var second = await HostProcess.StartAsync(environment, workingDirectory, StartTimeout);
        await Parallel.ForEachAsync(unanswered, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (command, _) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                var outcome = await TrySendAsync(second.Client, command, beforeKill: false);
                if (outcome is not Outcome.Unknown)
                {
                    outcomes[command] = outcome;
                    return;
                }
                Assert.True(attempt < 10, $"{command} got no answer after the restart in {attempt} attempts.\n{second.Output}");
            }
        });

        foreach (var id in accounts)
        {
            var applied = commands.Where(c => c.AccountId == id && outcomes[c] is Outcome.Applied).ToList();
            var expected = OpeningDeposit + applied.Sum(c => c.Deposit ? c.Amount : -c.Amount);
            var account = await second.Client.GetAccountAsync(id);
            // Exactly once: the version counts the events, two for the opening and one per applied command.
            Assert.Equal((expected, 2L + applied.Count), (account.Balance(), account.Version()));
        }

        // What was acknowledged before the kill is still remembered: its retry is a replay with the first answer.
        foreach (var command in commands.Where(c => outcomes[c] is Outcome.Applied { BeforeKill: true }).Take(50))
        {
            var response = await Send(second.Client, command);
            var body = await response.ExpectAsync(HttpStatusCode.OK);
            Assert.True(response.WasReplayed(), command.ToString());
            Assert.Equal(((Outcome.Applied)outcomes[command]).Version, body.Version());
        }

        // The read model agrees, once the projection has every event the journal holds.
        await BankHttp.EventuallyAsync(async () =>
        {
            var status = await (await second.Client.GetAsync("/projections/bank-accounts")).ExpectAsync(HttpStatusCode.OK);
            return status.GetProperty("offset").GetInt64() >= status.GetProperty("highestOffset").GetInt64();
        }, TimeSpan.FromSeconds(30), "the read model to catch up with the journal");
        var listed = (await (await second.Client.GetAsync("/accounts?owner=Crash&limit=1000")).ExpectAsync(HttpStatusCode.OK))
            .GetProperty("accounts").EnumerateArray().ToDictionary(a => a.GetProperty("accountId").GetString()!);
        Assert.Equal(accounts.Order(StringComparer.Ordinal), listed.Keys.Order(StringComparer.Ordinal));
        foreach (var id in accounts)
        {
            var account = await second.Client.GetAccountAsync(id);
            Assert.Equal((account.Balance(), account.Version()), (listed[id].Balance(), listed[id].Version()));
        }
        var acknowledged = commands.Where(c => outcomes[c] is Outcome.Applied).ToList();
        var euros = (await (await second.Client.GetAsync("/stats")).ExpectAsync(HttpStatusCode.OK)).GetProperty("currencies").EnumerateArray()
            .Single(c => c.GetProperty("currency").GetString() == "EUR");
        Assert.Equal(Accounts * OpeningDeposit + acknowledged.Where(c => c.Deposit).Sum(c => c.Amount), euros.GetProperty("totalDeposited").GetDecimal());
        Assert.Equal(acknowledged.Where(c => !c.Deposit).Sum(c => c.Amount), euros.GetProperty("totalWithdrawn").GetDecimal());
        Assert.Equal(listed.Values.Sum(a => a.Balance()), euros.GetProperty("totalBalance").GetDecimal());
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, Command command) =>
        client.PostJsonAsync($"/accounts/{command.AccountId}/{(command.Deposit ? "deposits" : "withdrawals")}",
            string.Create(CultureInfo.InvariantCulture, $$"""{"amount":{{command.Amount}}}"""), command.Key);

    /// <summary>Applied (200), Refused (409: nothing persisted), or Unknown (no answer, or 503: the outcome is unknown).</summary>
    private static async Task<Outcome> TrySendAsync(HttpClient client, Command command, bool beforeKill)
    {
        try
        {
            using var response = await Send(client, command);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    var body = await response.ExpectAsync(HttpStatusCode.OK);
                    return new Outcome.Applied(body.Version(), beforeKill);
                case HttpStatusCode.Conflict:
                    await response.ExpectProblemAsync(HttpStatusCode.Conflict, "insufficient-funds", "amount");
                    Assert.False(command.Deposit, $"A deposit was refused: {command}");
                    return new Outcome.Refused();
                case HttpStatusCode.ServiceUnavailable:
                    await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable, "journal-unavailable");
                    return new Outcome.Unknown();
                default:
                    Assert.Fail($"{command}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    return new Outcome.Unknown();
            }
        }
        catch (Exception e) when (NoAnswer.Is(e))
        {
            return new Outcome.Unknown(); // the host died under this request, or before it
        }
    }

    private sealed record Command(string Key, string AccountId, bool Deposit, decimal Amount);

    private abstract record Outcome
    {
        public sealed record Applied(long Version, bool BeforeKill) : Outcome;

        public sealed record Refused : Outcome;

        public sealed record Unknown : Outcome;
    }
}

/// <summary>The crash on SQLite: a file of its own (BANK_SQLITE).</summary>
public sealed class SqliteCrashScenarios : CrashScenarios
{
    protected override Task<IReadOnlyDictionary<string, string>> EnvironmentAsync() => SqliteEnvironment();
}

/// <summary>The crash on PostgreSQL (BANK_JOURNAL=postgres, ACTORS_POSTGRES): a database of its own.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCrashScenarios(PostgresServer server) : CrashScenarios
{
    protected override Task<IReadOnlyDictionary<string, string>> EnvironmentAsync() => PostgresEnvironmentAsync(server);
}
