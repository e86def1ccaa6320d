using Actors.Core;
using Actors.Persistence;
using Bank.Actors;

namespace Bank.ReadModels.Tests;

/// <summary>
/// The real account actors on the read side's journal, created as the host creates them: an actor system with the
/// journal registered, and the account region behind an <see cref="AccountGateway"/>.
/// </summary>
public sealed class AccountActors : IAsyncDisposable
{
    private readonly ActorSystem _system;

    public AccountActors(ReadSide side, AccountSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(side);
        _system = ActorSystem.Create("bank-read-model-tests");
        Persistence.Register(_system, side.Journal, side.Snapshots);
        var region = _system.ActorOf(AccountRegion.Props(settings ?? new AccountSettings()), AccountRegion.Name);
        Gateway = new AccountGateway(region, TimeSpan.FromSeconds(15));
    }

    public AccountGateway Gateway { get; }

    public async ValueTask DisposeAsync() => await _system.Terminate();
}
