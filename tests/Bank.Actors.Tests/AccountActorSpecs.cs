using Actors.Core;
using Actors.Core.Entities;
using Actors.Persistence;
using Actors.Persistence.InMemory;
using Actors.Persistence.Serialization;
using Bank.Domain;

namespace Bank.Actors.Tests;

public sealed class AccountActorSpecs : global::Actors.TestKit.TestKit
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly InMemoryJournal _journal;
    private readonly InMemorySnapshotStore _snapshots;
    private readonly AccountSettings _settings = new() { SnapshotEvery = 5, KeepSnapshots = 2, PassivateAfter = TimeSpan.FromMinutes(5) };

    public AccountActorSpecs()
    {
        var serializer = new JsonEventSerializer(BankEventTypes.Register(new EventTypeRegistry()));
        _journal = new InMemoryJournal(serializer);
        _snapshots = new InMemorySnapshotStore(serializer);
        Persistence.Register(Sys, _journal, _snapshots);
    }

    private IActorRef Region(AccountSettings? settings = null) => ActorOf(AccountRegion.Props(settings ?? _settings));

    private async Task<AccountReply> Send(IActorRef region, AccountCommand command)
    {
        region.Tell(command, TestActor);
        return await ExpectMsgAsync<AccountReply>();
    }

    private static OpenAccount Open(string id, decimal initial = 0m) => new(id, "Ada", "EUR", initial, Guid.NewGuid(), Now);
    private static Deposit DepositOf(string id, decimal amount, Guid? commandId = null) => new(id, amount, commandId ?? Guid.NewGuid(), Now);
    private static Withdraw WithdrawalOf(string id, decimal amount) => new(id, amount, Guid.NewGuid(), Now);

    private static AccountView Accepted(AccountReply reply) => Assert.IsType<AccountReply.Accepted>(reply).View;

    [Fact]
    public async Task Recovery_after_a_stop_gives_the_same_balance()
    {
        var region = Region();
        await Send(region, Open("a-1", 100m));
        await Send(region, WithdrawalOf("a-1", 30.25m));
        await Send(region, DepositOf("a-1", 0.5m));
        Assert.True(await region.GracefulStop(Dilated(TimeSpan.FromSeconds(3))));

        var again = Region();
        again.Tell(new GetAccount("a-1"), TestActor);
        var state = await ExpectMsgAsync<AccountState>();
        Assert.Equal(70.25m, state.Balance);
        Assert.Equal(4, state.Version);
    }

    [Fact]
    public async Task Withdrawal_beyond_balance_is_refused_and_nothing_is_persisted()
    {
        var region = Region();
        await Send(region, Open("a-2", 10m));
        var before = _journal.HighestOrdering;

        var reply = await Send(region, WithdrawalOf("a-2", 10.01m));

        Assert.Equal(RejectionCode.InsufficientFunds, Assert.IsType<AccountReply.Rejected>(reply).Rejection.Code);
        Assert.Equal(before, _journal.HighestOrdering);
    }

    [Fact]
    public async Task A_journal_write_failure_is_reported_and_the_next_command_sees_the_recovered_state()
    {
        var region = Region();
        await Send(region, Open("a-3", 50m));

        _journal.FailNextWrite(persistenceId: "a-3");
        region.Tell(DepositOf("a-3", 25m), TestActor);
        var failure = await ExpectMsgAsync<Status.Failure>();
        Assert.IsType<PersistenceFailureException>(failure.Cause);

        var view = Accepted(await Send(region, DepositOf("a-3", 1m)));
        Assert.Equal(51m, view.Balance);
        Assert.Equal(3, view.Version);
    }

    [Fact]
    public async Task Commands_queued_behind_a_failed_write_reach_the_recovered_account()
    {
        var region = Region();
        await Send(region, Open("a-8", 50m));
        _journal.PauseWrites();
        _journal.FailNextWrite(persistenceId: "a-8");

        region.Tell(DepositOf("a-8", 25m), TestActor);
        region.Tell(new GetAccount("a-8"), TestActor);
        region.Tell(DepositOf("a-8", 5m), TestActor);
        _journal.ResumeWrites();

        Assert.IsType<PersistenceFailureException>((await ExpectMsgAsync<Status.Failure>()).Cause);
        var state = await ExpectMsgAsync<AccountState>();
        Assert.Equal((50m, 2L), (state.Balance, state.Version));
        Assert.Equal(55m, Accepted(await ExpectMsgAsync<AccountReply>()).Balance);
    }

    [Fact]
    public async Task A_thousand_concurrent_withdrawals_never_overdraw()
    {
        var region = Region();
        await Send(region, Open("a-4", 500m));

        var gateway = new AccountGateway(region, Dilated(TimeSpan.FromSeconds(10)));
        var replies = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(() => gateway.SendAsync(WithdrawalOf("a-4", 1m)))));

        Assert.Equal(500, replies.Count(r => r is AccountReply.Accepted));
        Assert.Equal(500, replies.Count(r => r is AccountReply.Rejected { Rejection.Code: RejectionCode.InsufficientFunds }));
        var state = await gateway.GetAsync("a-4");
        Assert.Equal(0m, state.Balance);
        Assert.All(replies.OfType<AccountReply.Accepted>(), r => Assert.True(r.View.Balance >= 0));
    }

    [Fact]
    public async Task The_same_command_id_returns_the_first_result_also_after_a_restart()
    {
        var region = Region();
        await Send(region, Open("a-5", 0m));
        var commandId = Guid.NewGuid();
        var first = Accepted(await Send(region, DepositOf("a-5", 40m, commandId)));
        await Send(region, DepositOf("a-5", 2m));
        Assert.True(await region.GracefulStop(Dilated(TimeSpan.FromSeconds(3))));
        var eventsBefore = _journal.HighestOrdering;

        var again = Region();
        var retry = Assert.IsType<AccountReply.Accepted>(await Send(again, DepositOf("a-5", 40m, commandId)));

        Assert.True(retry.WasDuplicate);
        Assert.Equal(first, retry.View);
        Assert.Equal(eventsBefore, _journal.HighestOrdering);
        var conflict = await Send(again, DepositOf("a-5", 41m, commandId));
        Assert.Equal(RejectionCode.IdempotencyConflict, Assert.IsType<AccountReply.Rejected>(conflict).Rejection.Code);
    }

    [Fact]
    public async Task An_idle_account_is_passivated_and_comes_back_on_the_next_command()
    {
        var region = Region(_settings with { PassivateAfter = TimeSpan.FromMilliseconds(100) });
        await Send(region, Open("a-6", 5m));
        await AwaitAssertAsync(async () =>
        {
            region.Tell(GetRegionStats.Instance, TestActor);
            Assert.Equal(0, (await ExpectMsgAsync<RegionStats>()).ActiveEntities);
        }, Dilated(TimeSpan.FromSeconds(3)));

        var view = Accepted(await Send(region, DepositOf("a-6", 1m)));
        Assert.Equal(6m, view.Balance);
    }

    [Fact]
    public async Task Snapshots_are_taken_every_N_events_and_only_the_newest_K_are_kept()
    {
        var region = Region();
        await Send(region, Open("a-7", 1m));
        for (var i = 0; i < 18; i++) await Send(region, DepositOf("a-7", 1m));

        await AwaitAssertAsync(() =>
            Assert.Equal([15L, 20L], _snapshots.ReadMetadata("a-7").Select(m => m.SequenceNr).Order()), Dilated(TimeSpan.FromSeconds(3)));

        Assert.True(await region.GracefulStop(Dilated(TimeSpan.FromSeconds(3))));
        var again = Region();
        again.Tell(new GetAccount("a-7"), TestActor);
        var state = await ExpectMsgAsync<AccountState>();
        Assert.Equal(19m, state.Balance);
        Assert.Equal(20, state.Version);
    }

    [Fact]
    public async Task Asking_for_an_unknown_account_creates_no_events()
    {
        var region = Region();
        region.Tell(new GetAccount("nobody"), TestActor);
        Assert.Equal(AccountStatus.NotOpened, (await ExpectMsgAsync<AccountState>()).Status);
        Assert.Equal(0, _journal.HighestOrdering);
    }
}
