using Akka.Actor;
using Bank.Domain;

namespace Bank.ReadModels.Tests.Infrastructure;

/// <summary>
/// Writes real account events through the real journal: the domain decides, an <see cref="AccountWriterActor"/> per
/// account persists them tagged "account", and the ordering of the last event comes from <see cref="JournalPositions"/>
/// (as the host answers a command). Without the account actors, so the tests control every timestamp.
/// </summary>
public sealed class AccountWriter(ActorSystem system, JournalPositions positions)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(20);

    private readonly Dictionary<string, AccountState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _actors = new(StringComparer.Ordinal);

    public DateTimeOffset Now { get; set; } = new(2030, 1, 1, 9, 0, 0, TimeSpan.Zero);

    public AccountState State(string accountId) => _states.GetValueOrDefault(accountId) ?? AccountState.Initial(accountId);

    /// <returns>The journal ordering of the command's last event.</returns>
    public Task<long> SendAsync(AccountCommand command) => SendAllAsync([command]);

    /// <summary>
    /// Decides every command in order (each on the state the ones before it left) and writes each account's events in one
    /// atomic write, the accounts concurrently.
    /// </summary>
    /// <returns>The highest journal ordering written.</returns>
    public async Task<long> SendAllAsync(IReadOnlyList<AccountCommand> commands)
    {
        var states = new Dictionary<string, AccountState>(StringComparer.Ordinal);
        var events = new Dictionary<string, List<AccountEvent>>(StringComparer.Ordinal);
        foreach (var command in commands)
        {
            var state = states.GetValueOrDefault(command.AccountId) ?? State(command.AccountId);
            var accepted = Assert.IsType<Decision.Accepted>(AccountDecider.Decide(state, command));
            if (!events.TryGetValue(command.AccountId, out var list)) events[command.AccountId] = list = [];
            list.AddRange(accepted.Events);
            states[command.AccountId] = AccountDecider.Fold(state, accepted.Events);
        }
        var orderings = await Task.WhenAll(events.Select(e => WriteAsync(e.Key, e.Value)));
        foreach (var (accountId, state) in states) _states[accountId] = state;
        return orderings.Max();
    }

    /// <summary>Events as they are, without the domain (e.g. untagged ones of another kind of writer); returns the last one's ordering.</summary>
    public async Task<long> WriteRawAsync(string persistenceId, IReadOnlyList<object> events, bool tagged)
    {
        var written = await ActorFor(persistenceId).Ask<AccountWriterActor.Written>(new AccountWriterActor.Write(events, tagged), AskTimeout);
        return await positions.OrderingOfAsync(persistenceId, written.LastSequenceNr)
            ?? throw new InvalidOperationException($"{persistenceId} #{written.LastSequenceNr} is not in the journal.");
    }

    /// <summary>Sets the state a raw insert left (the account's actor must not write again: its sequence number is behind).</summary>
    public void Advance(string accountId, AccountEvent @event) => _states[accountId] = AccountDecider.Evolve(State(accountId), @event);

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

    private Task<long> WriteAsync(string accountId, List<AccountEvent> events) =>
        WriteRawAsync(AccountWriterActor.PersistenceIdOf(accountId), events, tagged: true);

    private IActorRef ActorFor(string persistenceId)
    {
        lock (_actors)
        {
            if (!_actors.TryGetValue(persistenceId, out var actor))
                _actors[persistenceId] = actor = system.ActorOf(AccountWriterActor.Props(persistenceId), Uri.EscapeDataString(persistenceId));
            return actor;
        }
    }
}
