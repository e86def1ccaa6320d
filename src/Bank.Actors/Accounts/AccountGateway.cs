using Akka.Actor;
using Bank.Domain;

namespace Bank.Actors.Accounts;

/// <summary>The shard region of the accounts, as Akka.Hosting's registry knows it (<c>IRequiredActor&lt;AccountRegion&gt;</c>).</summary>
public sealed class AccountRegion
{
    public const string Name = "accounts";
}

/// <summary>How the outside world (HTTP) talks to accounts: it asks the shard region and gets a reply or an exception.</summary>
public sealed class AccountGateway(IActorRef region, TimeSpan askTimeout)
{
    public TimeSpan AskTimeout => askTimeout;

    /// <summary>An <see cref="AskTimeoutException"/> means the outcome is unknown: retry with the same command id.</summary>
    public Task<AccountReply> SendAsync(AccountCommand command, CancellationToken cancellationToken = default) =>
        region.Ask<AccountReply>(command, askTimeout, cancellationToken);

    public Task<AccountState> GetAsync(string accountId, CancellationToken cancellationToken = default) =>
        region.Ask<AccountState>(new GetAccount(accountId), askTimeout, cancellationToken);
}
