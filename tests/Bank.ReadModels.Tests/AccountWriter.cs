using Actors.Persistence.Journal;
using Bank.Actors;
using Bank.Domain;

namespace Bank.ReadModels.Tests;

/// <summary>
/// Writes real account events through a real journal, as the account actor would: the domain decides, the events go
/// in one atomic write tagged "account", the state evolves. Without actors, so the tests control every timestamp.
/// </summary>
public sealed class AccountWriter(IJournal journal)
{
    private readonly Dictionary<string, AccountState> _states = new(StringComparer.Ordinal);

    public DateTimeOffset Now { get; set; } = new(2030, 1, 1, 9, 0, 0, TimeSpan.Zero);

    public AccountState State(string accountId) => _states.GetValueOrDefault(accountId) ?? AccountState.Initial(accountId);

    /// <returns>The journal offset (ordering) of the command's last event.</returns>
    public Task<long> SendAsync(AccountCommand command) => SendAllAsync([command]);

    /// <summary>
    /// Decides every command in order (each on the state the ones before it left) and writes them in one journal call,
    /// one atomic write per command: many events quickly, each command still its own write.
    /// </summary>
    /// <returns>The journal offset (ordering) of the last event.</returns>
    public async Task<long> SendAllAsync(IReadOnlyList<AccountCommand> commands)
    {
        var writes = new List<AtomicWrite>(commands.Count);
        var states = new Dictionary<string, AccountState>(StringComparer.Ordinal);
        foreach (var command in commands)
        {
            var state = states.GetValueOrDefault(command.AccountId) ?? State(command.AccountId);
            var accepted = Assert.IsType<Decision.Accepted>(AccountDecider.Decide(state, command));
            writes.Add(new AtomicWrite(accepted.Events
                .Select((e, i) => new PersistentRepr(command.AccountId, state.Version + i + 1, e, "test-writer", Now, [BankEventTypes.AccountTag]))
                .ToList()));
            states[command.AccountId] = AccountDecider.Fold(state, accepted.Events);
        }
        var results = await journal.WriteAsync(writes);
        var highest = results.Select(r => Assert.IsType<WriteResult.Stored>(r).HighestOrdering).Max();
        foreach (var (accountId, state) in states) _states[accountId] = state;
        return highest;
    }

    public Task<long> OpenAsync(string accountId, string owner = "Ada", decimal initialDeposit = 0m, string currency = "EUR") =>
        SendAsync(Open(accountId, owner, initialDeposit, currency));

    public Task<long> DepositAsync(string accountId, decimal amount) => SendAsync(Deposit(accountId, amount));

    public Task<long> WithdrawAsync(string accountId, decimal amount) => SendAsync(Withdraw(accountId, amount));

    public Task<long> CloseAsync(string accountId) => SendAsync(Close(accountId));

    public OpenAccount Open(string accountId, string owner = "Ada", decimal initialDeposit = 0m, string currency = "EUR") =>
        new(accountId, owner, currency, initialDeposit, Guid.NewGuid(), Now);

    public Deposit Deposit(string accountId, decimal amount) => new(accountId, amount, Guid.NewGuid(), Now);

    public Withdraw Withdraw(string accountId, decimal amount) => new(accountId, amount, Guid.NewGuid(), Now);

    public CloseAccount Close(string accountId) => new(accountId, Guid.NewGuid(), Now);
}
