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
    public async Task<long> SendAsync(AccountCommand command)
    {
        var state = State(command.AccountId);
        var accepted = Assert.IsType<Decision.Accepted>(AccountDecider.Decide(state, command));
        var events = accepted.Events
            .Select((e, i) => new PersistentRepr(command.AccountId, state.Version + i + 1, e, "test-writer", Now, [BankEventTypes.AccountTag]))
            .ToList();
        var result = (await journal.WriteAsync([new AtomicWrite(events)]))[0];
        var stored = Assert.IsType<WriteResult.Stored>(result);
        _states[command.AccountId] = AccountDecider.Fold(state, accepted.Events);
        return stored.HighestOrdering;
    }

    public Task<long> OpenAsync(string accountId, string owner = "Ada", decimal initialDeposit = 0m, string currency = "EUR") =>
        SendAsync(new OpenAccount(accountId, owner, currency, initialDeposit, Guid.NewGuid(), Now));

    public Task<long> DepositAsync(string accountId, decimal amount) => SendAsync(new Deposit(accountId, amount, Guid.NewGuid(), Now));

    public Task<long> WithdrawAsync(string accountId, decimal amount) => SendAsync(new Withdraw(accountId, amount, Guid.NewGuid(), Now));

    public Task<long> CloseAsync(string accountId) => SendAsync(new CloseAccount(accountId, Guid.NewGuid(), Now));
}
