using Akka.Persistence;
using Bank.Actors.Accounts;
using Bank.Actors.Tests.Support;
using Bank.Domain;

namespace Bank.Actors.Tests;

/// <summary>One account actor on the in-memory test journal: persist then reply, recovery, snapshots, injected journal faults, idempotency.</summary>
public sealed class AccountActorSpecs(ITestOutputHelper output) : AccountSpec(output)
{
    private static readonly AccountSettings NoSnapshots = new() { SnapshotEvery = 0 };

    [Fact]
    public async Task Opening_with_an_initial_deposit_is_accepted_once_both_events_are_in_the_journal()
    {
        var account = StartAccount("acc-1", NoSnapshots);
        var open = Open("acc-1", 100.50m);

        var reply = await Send(account, open);

        Assert.Equal(new AccountReply.Accepted(new AccountView("acc-1", "Ada Lovelace", "EUR", 100.50m, AccountStatus.Open, 2), WasDuplicate: false), reply);
        var (events, highest) = await JournalOf("acc-1");
        Assert.Equal(2, highest);
        Assert.Equal([1L, 2L], events.Select(e => e.SequenceNr));
        Assert.Equal<object>(
            [new AccountOpened("acc-1", "Ada Lovelace", "EUR", open.CommandId, At), new MoneyDeposited("acc-1", 100.50m, 100.50m, open.CommandId, At)],
            events.Select(e => e.Payload));
        Assert.Equal([("acc-1", 1L), ("acc-1", 2L)], await TaggedWith(AccountActor.Tag));
    }

    [Fact]
    public async Task The_account_itself_refuses_a_customer_that_is_not_its_owner_as_not_found_and_keeps_who_issued_each_event()
    {
        var ada = new Issuer("Ada Lovelace", Role.Customer);
        var account = StartAccount("acc-1", NoSnapshots);
        await Accepted(account, Open("acc-1", 10m) with { IssuedBy = ada });

        var reply = await Send(account, WithdrawalOf("acc-1", 10m) with { IssuedBy = new Issuer("Mallory", Role.Customer) });

        var rejection = Assert.IsType<AccountReply.Rejected>(reply).Rejection;
        Assert.Equal((RejectionCode.NotFound, "Account 'acc-1' does not exist."), (rejection.Code, rejection.Reason));
        var teller = new Issuer("teller-1", Role.Teller);
        await Accepted(account, WithdrawalOf("acc-1", 4m) with { IssuedBy = teller });
        var (events, highest) = await JournalOf("acc-1");
        Assert.Equal(3, highest);
        Assert.Equal([ada, ada, teller], events.Select(e => ((AccountEvent)e.Payload).IssuedBy));
        await Kill(account);
        Assert.Equal(6m, (await StateOf(StartAccount("acc-1", NoSnapshots), "acc-1")).Balance);
    }

    [Fact]
    public async Task A_new_incarnation_recovers_the_state_from_the_journal()
    {
        var account = StartAccount("acc-1", NoSnapshots);
        await Accepted(account, Open("acc-1", 100m));
        await Accepted(account, WithdrawalOf("acc-1", 30.25m));
        await Accepted(account, DepositOf("acc-1", 0.5m));
        var before = await StateOf(account, "acc-1");
        await Kill(account);

        var recovered = await StateOf(StartAccount("acc-1", NoSnapshots), "acc-1");

        Assert.Equal(before, recovered);
        Assert.Equal((70.25m, 4L), (recovered.Balance, recovered.Version));
    }

    [Fact]
    public async Task Withdrawal_beyond_balance_is_refused_and_nothing_is_persisted()
    {
        var account = StartAccount("acc-1", NoSnapshots);
        await Accepted(account, Open("acc-1", 10m));

        var reply = await Send(account, WithdrawalOf("acc-1", 10.01m));

        var rejection = Assert.IsType<AccountReply.Rejected>(reply).Rejection;
        Assert.Equal((RejectionCode.InsufficientFunds, "amount"), (rejection.Code, rejection.Field));
        Assert.Equal(2, (await JournalOf("acc-1")).HighestSequenceNr);
        await Kill(account);
        var recovered = await StateOf(StartAccount("acc-1", NoSnapshots), "acc-1");
        Assert.Equal((10m, 2L), (recovered.Balance, recovered.Version));
    }

    [Fact]
    public async Task A_snapshot_every_few_events_shortens_recovery_to_the_events_after_it_and_only_the_newest_are_kept()
    {
        var settings = new AccountSettings { SnapshotEvery = 3, KeepSnapshots = 2 };
        var account = StartAccount("acc-1", settings);
        await Accepted(account, Open("acc-1", 10m));                        // events 1, 2
        for (var i = 1; i <= 8; i++) await Accepted(account, DepositOf("acc-1", i)); // events 3..10: snapshots at 3, 6, 9
        var before = await StateOf(account, "acc-1");

        // Snapshots are written and pruned after the replies: wait for the store to show 6 and 9, and 3 deleted.
        await AwaitAssertAsync(async () =>
        {
            Assert.Equal(9, (await SnapshotOf("acc-1"))?.Metadata.SequenceNr);
            Assert.Equal(6, (await SnapshotOf("acc-1", maxSequenceNr: 8))?.Metadata.SequenceNr);
            Assert.Null(await SnapshotOf("acc-1", maxSequenceNr: 5));
        }, interval: TimeSpan.FromMilliseconds(20));
        var (events, _) = await JournalOf("acc-1");
        var snapshot = (await SnapshotOf("acc-1"))!;
        Assert.Equal(AccountDecider.Fold(AccountState.Initial("acc-1", settings.IdempotencyWindow), events.Take(9).Select(e => (AccountEvent)e.Payload)), snapshot.Snapshot);
        await Kill(account);

        var replayed = new RecordingInterceptor();
        await Journal.OnRecovery.SetInterceptorAsync(replayed);
        var recovered = await StateOf(StartAccount("acc-1", settings), "acc-1");

        Assert.Equal(before, recovered);
        Assert.Equal((46m, 10L), (recovered.Balance, recovered.Version));
        Assert.Equal([10L], replayed.Seen.Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task A_journal_write_failure_is_reported_the_account_stops_and_its_next_incarnation_accepts_the_retry()
    {
        var account = StartAccount("acc-1", NoSnapshots);
        await Accepted(account, Open("acc-1", 50m));
        var deposit = DepositOf("acc-1", 25m);
        Watch(account);

        await WithJournalWrite(write => write.Fail(), async () =>
        {
            Assert.IsType<AccountReply.JournalFailed>(await Send(account, deposit));
            await ExpectTerminatedAsync(account);
        });

        Assert.Equal(2, (await JournalOf("acc-1")).HighestSequenceNr);
        var again = StartAccount("acc-1", NoSnapshots);
        var recovered = await StateOf(again, "acc-1");
        Assert.Equal((50m, 2L), (recovered.Balance, recovered.Version));
        // The failed write left nothing behind: the retry with the same command id is a new command, not a duplicate.
        var retried = await Accepted(again, deposit);
        Assert.Equal((75m, 3L), (retried.Balance, retried.Version));
    }

    [Fact]
    public async Task A_journal_rejection_is_reported_and_the_next_incarnation_keeps_versions_equal_to_sequence_numbers()
    {
        var account = StartAccount("acc-1", NoSnapshots);
        await Accepted(account, Open("acc-1", 50m));
        Watch(account);

        await WithJournalWrite(write => write.Reject(), async () =>
        {
            Assert.IsType<AccountReply.PersistRejected>(await Send(account, DepositOf("acc-1", 25m)));
            await ExpectTerminatedAsync(account);
        });

        var again = StartAccount("acc-1", NoSnapshots);
        var state = await StateOf(again, "acc-1");
        Assert.Equal((50m, 2L), (state.Balance, state.Version));
        var view = await Accepted(again, DepositOf("acc-1", 5m));
        Assert.Equal((55m, 3L), (view.Balance, view.Version));
        var journal = await JournalOf("acc-1");
        Assert.Equal([50m, 5m], journal.Events.Select(e => e.Payload).OfType<MoneyDeposited>().Select(d => d.Amount));
        Assert.Equal(3, journal.HighestSequenceNr);
    }

    [Theory]
    [InlineData(0)] // the idempotency window is rebuilt from the events
    [InlineData(3)] // the command is remembered in a snapshot
    public async Task The_same_command_id_returns_the_first_result_also_after_a_restart(int snapshotEvery)
    {
        var settings = new AccountSettings { SnapshotEvery = snapshotEvery };
        var account = StartAccount("acc-1", settings);
        await Accepted(account, Open("acc-1", 100m));
        var deposit = DepositOf("acc-1", 40m);
        var first = await Accepted(account, deposit);
        await Accepted(account, DepositOf("acc-1", 2m));

        var repeat = await Send(account, deposit with { Amount = 40.00m, Now = At.AddMinutes(1) });
        await Kill(account);
        var again = StartAccount("acc-1", settings);
        var repeatAfterRestart = await Send(again, deposit);

        Assert.Equal(new AccountReply.Accepted(first, WasDuplicate: true), repeat);
        Assert.Equal(new AccountReply.Accepted(first, WasDuplicate: true), repeatAfterRestart);
        Assert.Equal((140m, 3L), (first.Balance, first.Version));
        Assert.Equal(4, (await JournalOf("acc-1")).HighestSequenceNr);
        Assert.Equal(snapshotEvery == 0 ? null : 3, (await SnapshotOf("acc-1"))?.Metadata.SequenceNr);
    }

    [Fact]
    public async Task The_same_command_id_with_another_body_is_an_idempotency_conflict()
    {
        var account = StartAccount("acc-1", NoSnapshots);
        await Accepted(account, Open("acc-1", 100m));
        var deposit = DepositOf("acc-1", 40m);
        await Accepted(account, deposit);

        var conflict = await Send(account, deposit with { Amount = 41m });
        var asWithdrawal = await Send(account, WithdrawalOf("acc-1", 40m, deposit.CommandId));

        Assert.Equal(RejectionCode.IdempotencyConflict, Assert.IsType<AccountReply.Rejected>(conflict).Rejection.Code);
        Assert.Equal(RejectionCode.IdempotencyConflict, Assert.IsType<AccountReply.Rejected>(asWithdrawal).Rejection.Code);
        Assert.Equal(3, (await JournalOf("acc-1")).HighestSequenceNr);
    }
}
