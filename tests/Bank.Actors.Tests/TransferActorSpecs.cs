using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Persistence;
using Bank.Actors.Accounts;
using Bank.Actors.Transfers;
using Bank.Actors.Tests.Support;
using Bank.Domain;

namespace Bank.Actors.Tests;

/// <summary>
/// Given/when/then of the transfer process on real shard regions of accounts and transfers (one-node cluster, the test
/// journal): how it ends, what each side's journal holds, and that a step whose answer is lost is retried and still
/// takes effect once.
/// </summary>
public sealed class TransferActorSpecs(ITestOutputHelper output) : AccountSpec(output, RememberInTheJournal)
{
    // What WithTransferRegion sets through ShardOptions.
    private static readonly Akka.Configuration.Config RememberInTheJournal = Akka.Configuration.ConfigurationFactory
        .ParseString("akka.cluster.sharding.remember-entities-store = eventsourced").WithFallback(SpecConfig.SingleNodeCluster);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Steps that are answered must not time out on a busy machine: a source check that times out fails the request
    /// (Unavailable), and a step answered after its timeout is asked again, which a scripted probe would not expect.
    /// </summary>
    private static readonly TransferSettings Steady = new() { StepTimeout = Patience, MinBackoff = TimeSpan.FromMilliseconds(50) };

    /// <summary>For the scenario whose answers are lost: it finds out after 500 ms and asks again.</summary>
    private static readonly TransferSettings Fast = Steady with { StepTimeout = TimeSpan.FromMilliseconds(500) };

    private IActorRef _accounts = ActorRefs.Nobody;

    private async Task<IActorRef> StartRegions(TransferSettings settings, Func<IActorRef, IActorRef>? accountsAsSeenByTransfers = null)
    {
        var cluster = Cluster.Get(Sys);
        using var joining = new CancellationTokenSource(Patience);
        await cluster.JoinAsync(cluster.SelfAddress, joining.Token);
        var accountSettings = new AccountSettings();
        _accounts = await ClusterSharding.Get(Sys).StartAsync(AccountRegion.Name, id => AccountActor.Props(id, accountSettings),
            ClusterShardingSettings.Create(Sys).WithRememberEntities(false).WithStateStoreMode(StateStoreMode.DData), new AccountMessageExtractor(10));
        var accounts = accountsAsSeenByTransfers?.Invoke(_accounts) ?? _accounts;
        return await ClusterSharding.Get(Sys).StartAsync(TransferRegion.Name, id => TransferActor.Props(Guid.ParseExact(id, "N"), accounts, settings),
            ClusterShardingSettings.Create(Sys).WithRememberEntities(true).WithStateStoreMode(StateStoreMode.Persistence),
            new TransferMessageExtractor(10));
    }

    private async Task<TransferState> Ended(IActorRef transfers, Guid id)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            transfers.Tell(new GetTransfer(id), TestActor);
            var state = await ExpectMsgAsync<TransferState>();
            if (state.HasEnded) return state;
            Assert.True(DateTime.UtcNow < deadline, $"Transfer {id} is still {state.Stage}.");
            await Task.Delay(50);
        }
    }

    private async Task<TransferReply> Request(IActorRef transfers, Guid id, string from, string to, decimal amount)
    {
        transfers.Tell(new RequestTransfer(id, from, to, amount, At), TestActor);
        return await ExpectMsgAsync<TransferReply>();
    }

    private async Task<IReadOnlyList<Type>> TransferEventsOf(Guid id) =>
        [.. (await JournalOf(TransferActor.PersistenceIdPrefix + id.ToString("N"))).Events.Select(e => e.Payload.GetType())];

    [Fact]
    public async Task Given_two_open_accounts_when_a_transfer_is_requested_then_the_source_is_debited_the_target_credited_the_source_settled_and_it_completes()
    {
        var transfers = await StartRegions(Steady);
        await Accepted(_accounts, Open("src", 100m));
        await Accepted(_accounts, Open("dst"));
        var id = Guid.NewGuid();

        var accepted = Assert.IsType<TransferReply.Accepted>(await Request(transfers, id, "src", "dst", 40m));

        Assert.False(accepted.WasDuplicate);
        Assert.Equal(TransferStage.Requested, accepted.Transfer.Stage);
        Assert.Equal(TransferStatus.Completed, (await Ended(transfers, id)).Status);
        Assert.Equal(60m, (await StateOf(_accounts, "src")).Balance);
        var target = await StateOf(_accounts, "dst");
        Assert.Equal(40m, target.Balance);
        Assert.True(target.Transfers.Has(id, TransferStep.Credited));
        var source = await StateOf(_accounts, "src");
        Assert.Equal(TransferStep.Debited | TransferStep.SettlementDue | TransferStep.Settled, source.Transfers.StepsOf(id));
        Assert.Equal([typeof(AccountOpened), typeof(MoneyDeposited), typeof(TransferDebited), typeof(TransferSettled)],
            (await JournalOf("src")).Events.Select(e => e.Payload.GetType()));
        Assert.Equal([typeof(TransferRequested), typeof(TransferSourceDebited), typeof(TransferTargetCredited), typeof(TransferCompleted)],
            await TransferEventsOf(id));
        Assert.Equal(4, (await TaggedWith(TransferActor.Tag)).Count(e => e.PersistenceId.EndsWith(id.ToString("N"), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Given_a_completed_transfer_of_the_whole_balance_when_its_source_is_closed_then_it_closes_at_zero()
    {
        var transfers = await StartRegions(Steady);
        await Accepted(_accounts, Open("src", 40m));
        await Accepted(_accounts, Open("dst"));
        var id = Guid.NewGuid();
        Assert.IsType<TransferReply.Accepted>(await Request(transfers, id, "src", "dst", 40m));
        Assert.Equal(TransferStatus.Completed, (await Ended(transfers, id)).Status);

        var closed = await Accepted(_accounts, new CloseAccount("src", Guid.NewGuid(), At));

        Assert.Equal((AccountStatus.Closed, 0m), (closed.Status, closed.Balance));
        Assert.True((await StateOf(_accounts, "src")).Transfers.Has(id, TransferStep.Settled));
    }

    [Fact]
    public async Task Given_a_transfer_in_flight_when_its_emptied_source_is_closed_then_the_close_is_refused_and_the_refund_finds_it_open()
    {
        var held = CreateTestProbe();
        var transfers = await StartRegions(Steady, real => Sys.ActorOf(Props.Create(() => new HoldsCredits(real, held.Ref))));
        await Accepted(_accounts, Open("src", 40m));
        await Accepted(_accounts, Open("shut"));
        await Accepted(_accounts, new CloseAccount("shut", Guid.NewGuid(), At));
        var id = Guid.NewGuid();
        Assert.IsType<TransferReply.Accepted>(await Request(transfers, id, "src", "shut", 40m));
        await held.ExpectMsgAsync<CreditForTransfer>(Patience); // debited; the credit waits
        Assert.Equal(0m, (await StateOf(_accounts, "src")).Balance);

        var refused = Assert.IsType<AccountReply.Rejected>(await Send(_accounts, new CloseAccount("src", Guid.NewGuid(), At)));
        held.Reply(HoldsCredits.Release.Instance);

        Assert.Equal(RejectionCode.TransferInFlight, refused.Rejection.Code);
        Assert.Contains(id.ToString(), refused.Rejection.Reason, StringComparison.Ordinal);
        var failed = await Ended(transfers, id);
        Assert.Equal((TransferStatus.Failed, RejectionCode.AccountClosed), (failed.Status, failed.Code));
        var source = await StateOf(_accounts, "src");
        Assert.Equal((AccountStatus.Open, 40m), (source.Status, source.Balance));
        Assert.Null(source.Transfers.FirstInFlight());
    }

    [Fact]
    public async Task Given_a_poor_source_when_a_transfer_is_requested_then_it_fails_with_insufficient_funds_and_nothing_moves()
    {
        var transfers = await StartRegions(Steady);
        await Accepted(_accounts, Open("src", 10m));
        await Accepted(_accounts, Open("dst"));
        var id = Guid.NewGuid();

        Assert.IsType<TransferReply.Accepted>(await Request(transfers, id, "src", "dst", 10.01m));

        var failed = await Ended(transfers, id);
        Assert.Equal((TransferStatus.Failed, RejectionCode.InsufficientFunds), (failed.Status, failed.Code));
        Assert.Equal([typeof(TransferRequested), typeof(TransferFailed)], await TransferEventsOf(id));
        Assert.Equal(2, (await JournalOf("src")).HighestSequenceNr);
        Assert.Equal(1, (await JournalOf("dst")).HighestSequenceNr);
    }

    [Fact]
    public async Task Given_an_unknown_target_when_a_transfer_is_requested_then_the_source_is_refunded_and_it_fails_with_not_found()
    {
        var transfers = await StartRegions(Steady);
        await Accepted(_accounts, Open("src", 30m));
        var id = Guid.NewGuid();

        Assert.IsType<TransferReply.Accepted>(await Request(transfers, id, "src", "nobody", 30m));

        var failed = await Ended(transfers, id);
        Assert.Equal((TransferStatus.Failed, RejectionCode.NotFound, 0m), (failed.Status, failed.Code, failed.InFlight));
        Assert.Equal([typeof(TransferRequested), typeof(TransferSourceDebited), typeof(TransferCreditRefused), typeof(TransferFailed)], await TransferEventsOf(id));
        Assert.Equal([typeof(AccountOpened), typeof(MoneyDeposited), typeof(TransferDebited), typeof(TransferRefunded)],
            (await JournalOf("src")).Events.Select(e => e.Payload.GetType()));
        Assert.Equal(30m, (await StateOf(_accounts, "src")).Balance);
        Assert.Equal(0, (await JournalOf("nobody")).HighestSequenceNr);
    }

    [Fact]
    public async Task Given_an_unknown_or_closed_source_when_a_transfer_is_requested_then_it_is_refused_and_nothing_is_persisted()
    {
        var transfers = await StartRegions(Steady);
        await Accepted(_accounts, Open("closed"));
        await Accepted(_accounts, new CloseAccount("closed", Guid.NewGuid(), At));
        var unknown = Guid.NewGuid();
        var closed = Guid.NewGuid();

        var notFound = Assert.IsType<TransferReply.Rejected>(await Request(transfers, unknown, "nobody", "closed", 1m));
        var isClosed = Assert.IsType<TransferReply.Rejected>(await Request(transfers, closed, "closed", "nobody", 1m));

        Assert.Equal((RejectionCode.NotFound, "fromAccountId"), (notFound.Rejection.Code, notFound.Rejection.Field));
        Assert.Equal((RejectionCode.AccountClosed, "fromAccountId"), (isClosed.Rejection.Code, isClosed.Rejection.Field));
        Assert.Empty(await TransferEventsOf(unknown));
        Assert.Empty(await TransferEventsOf(closed));
    }

    [Fact]
    public async Task Given_a_completed_transfer_when_it_is_requested_again_then_the_answer_is_a_duplicate_and_money_moves_once()
    {
        var transfers = await StartRegions(Steady);
        await Accepted(_accounts, Open("src", 100m));
        await Accepted(_accounts, Open("dst"));
        var id = Guid.NewGuid();
        Assert.IsType<TransferReply.Accepted>(await Request(transfers, id, "src", "dst", 25m));
        await Ended(transfers, id);

        var again = Assert.IsType<TransferReply.Accepted>(await Request(transfers, id, "src", "dst", 25m));
        var conflict = Assert.IsType<TransferReply.Rejected>(await Request(transfers, id, "src", "dst", 26m));

        Assert.True(again.WasDuplicate);
        Assert.Equal(TransferStatus.Completed, again.Transfer.Status);
        Assert.Equal(RejectionCode.IdempotencyConflict, conflict.Rejection.Code);
        Assert.Equal((75m, 25m), ((await StateOf(_accounts, "src")).Balance, (await StateOf(_accounts, "dst")).Balance));
    }

    [Fact]
    public async Task Given_the_answer_to_each_step_is_lost_once_when_the_transfer_runs_then_it_retries_and_each_step_takes_effect_once()
    {
        var transfers = await StartRegions(Fast, real => Sys.ActorOf(Props.Create(() => new LosesFirstAnswerOfEachStep(real))));
        await Accepted(_accounts, Open("src", 100m));
        var id = Guid.NewGuid();

        Assert.IsType<TransferReply.Accepted>(await Request(transfers, id, "src", "nobody", 20m));

        Assert.Equal(TransferStatus.Failed, (await Ended(transfers, id)).Status);
        // Debit and refund each reached the account twice; each was applied once.
        Assert.Equal([typeof(AccountOpened), typeof(MoneyDeposited), typeof(TransferDebited), typeof(TransferRefunded)],
            (await JournalOf("src")).Events.Select(e => e.Payload.GetType()));
        Assert.Equal(100m, (await StateOf(_accounts, "src")).Balance);
    }

    [Fact]
    public async Task Given_a_transfer_stopped_between_its_steps_when_it_starts_again_then_it_resumes_from_its_events()
    {
        var accounts = CreateTestProbe();
        var id = Guid.NewGuid();
        var source = AccountDecider.Fold(AccountState.Initial("src"), [new AccountOpened("src", "Ann", "EUR", Guid.NewGuid(), At)]);
        var first = Sys.ActorOf(TransferActor.Props(id, accounts.Ref, Steady));
        first.Tell(new RequestTransfer(id, "src", "dst", 5m, At), TestActor);
        await accounts.ExpectMsgAsync<GetAccount>();
        accounts.Reply(source);
        Assert.IsType<TransferReply.Accepted>(await ExpectMsgAsync<TransferReply>());
        await accounts.ExpectMsgAsync<DebitForTransfer>();
        accounts.Reply(new AccountReply.Accepted(new AccountView("src", "Ann", "EUR", 0m, AccountStatus.Open, 3), WasDuplicate: false));
        var credit = await accounts.ExpectMsgAsync<CreditForTransfer>();
        await Kill(first); // before the target answers

        var second = Sys.ActorOf(TransferActor.Props(id, accounts.Ref, Steady));

        var again = await accounts.ExpectMsgAsync<CreditForTransfer>();
        Assert.Equal(credit.CommandId, again.CommandId);
        accounts.Reply(new AccountReply.Accepted(new AccountView("dst", "Bob", "EUR", 5m, AccountStatus.Open, 2), WasDuplicate: false));
        var settle = await accounts.ExpectMsgAsync<SettleTransfer>();
        Assert.Equal(("src", TransferRules.StepCommandId(id, TransferStep.Settled)), (settle.AccountId, settle.CommandId));
        accounts.Reply(new AccountReply.Accepted(new AccountView("src", "Ann", "EUR", 0m, AccountStatus.Open, 4), WasDuplicate: false));
        await AwaitAssertAsync(async () =>
        {
            second.Tell(new GetTransfer(id), TestActor);
            Assert.Equal(TransferStatus.Completed, (await ExpectMsgAsync<TransferState>()).Status);
        }, Patience);
    }

    /// <summary>
    /// Between the transfers and the accounts: holds the first credit, shown to <c>held</c>, until <c>held</c> answers
    /// <see cref="Release"/>; everything else goes through. A held step is asked again after its timeout: the copies wait too.
    /// </summary>
    private sealed class HoldsCredits : ReceiveActor
    {
        private readonly List<(CreditForTransfer Credit, IActorRef Sender)> _held = [];
        private bool _released;

        public HoldsCredits(IActorRef accounts, IActorRef held)
        {
            Receive<CreditForTransfer>(credit =>
            {
                if (_released)
                {
                    accounts.Forward(credit);
                    return;
                }
                if (_held.Count == 0) held.Tell(credit, Self);
                _held.Add((credit, Sender));
            });
            Receive<Release>(_ =>
            {
                _released = true;
                foreach (var (credit, sender) in _held) accounts.Tell(credit, sender);
                _held.Clear();
            });
            ReceiveAny(accounts.Forward);
        }

        public sealed class Release
        {
            public static readonly Release Instance = new();
        }
    }

    /// <summary>Between the transfers and the accounts: delivers every step, but drops the account's first answer to each step.</summary>
    private sealed class LosesFirstAnswerOfEachStep : ReceiveActor
    {
        private readonly HashSet<Guid> _answered = [];

        public LosesFirstAnswerOfEachStep(IActorRef accounts)
        {
            Receive<TransferStepCommand>(step =>
            {
                if (_answered.Add(step.CommandId)) accounts.Tell(step, Context.System.DeadLetters);
                else accounts.Forward(step);
            });
            ReceiveAny(accounts.Forward);
        }
    }
}
