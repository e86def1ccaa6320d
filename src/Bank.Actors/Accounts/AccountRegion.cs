using Actors.Core;
using Actors.Core.Entities;
using Bank.Domain;

namespace Bank.Actors;

/// <summary>Routes account commands and queries to the account's actor by account id.</summary>
public sealed class AccountMessageExtractor : IMessageExtractor
{
    public string? EntityId(object message) => message switch
    {
        AccountCommand command => command.AccountId,
        GetAccount query => query.AccountId,
        _ => null,
    };

    public object EntityMessage(object message) => message;
}

public static class AccountRegion
{
    public const string Name = "accounts";

    public static Props Props(AccountSettings settings) =>
        // One Props for all accounts (the id comes from the entity's name): no props, closure and delegate per idle account.
        EntityRegion.Props(id => new AccountActor(id, settings), new AccountMessageExtractor());
}

/// <summary>How the outside world (HTTP) talks to accounts: ask the region, get a reply or an exception.</summary>
public sealed class AccountGateway(IActorRef region, TimeSpan askTimeout)
{
    /// <summary>A failure to persist throws (PersistenceFailureException or AskTimeoutException): the command's outcome is then unknown, never a success.</summary>
    public Task<AccountReply> SendAsync(AccountCommand command, CancellationToken cancellationToken = default) =>
        region.Ask<AccountReply>(command, askTimeout, cancellationToken);

    public Task<AccountState> GetAsync(string accountId, CancellationToken cancellationToken = default) =>
        region.Ask<AccountState>(new GetAccount(accountId), askTimeout, cancellationToken);
}
