using static Bank.Domain.Tests.AccountSpec;

namespace Bank.Domain.Tests;

public sealed class IdempotencySpecs
{
    [Fact]
    public void Repeating_a_command_is_a_duplicate_answering_the_original_outcome_even_after_later_commands()
    {
        var deposit = Depositing(100m);
        var later = Given(Opened()).AndAfter(deposit).AndAfter(Depositing(50m)).AndAfter(Withdrawing(20m));

        var original = later.When(deposit).ThenDuplicate(version: 2, balance: 100m, AccountStatus.Open);

        Assert.Equal(deposit.CommandId, original.CommandId);
        Assert.Equal(130m, later.State.Balance);
    }

    [Fact]
    public void A_repeat_written_with_a_different_decimal_scale_is_the_same_intent()
    {
        var id = NewId();
        var given = Given(Opened()).AndAfter(Depositing(100.5m, id));

        given.When(Depositing(100.50m, id) with { Now = T1.AddMinutes(5) }).ThenDuplicate(version: 2, balance: 100.5m, AccountStatus.Open);
    }

    [Fact]
    public void A_repeated_open_with_initial_deposit_answers_the_outcome_after_both_events_and_is_remembered_once()
    {
        var open = Opening(owner: "Alice", initialDeposit: 10m);
        var opened = Given().AndAfter(open);

        opened.When(open with { Owner = " Alice " }).ThenDuplicate(version: 2, balance: 10m, AccountStatus.Open);
        Assert.Equal(1, opened.State.ProcessedCommands.Count);
        Assert.Equal(CommandFingerprint.Of(open), Assert.Single(opened.State.ProcessedCommands.Entries).Fingerprint);
    }

    [Fact]
    public void Reusing_a_command_id_for_a_different_amount_is_an_idempotency_conflict()
    {
        var id = NewId();
        var given = Given(Opened()).AndAfter(Depositing(100m, id));

        var rejection = given.When(Depositing(100.01m, id)).ThenRejected(RejectionCode.IdempotencyConflict, "Idempotency-Key");

        Assert.Contains(id.ToString(), rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Reusing_a_command_id_for_a_different_kind_of_command_is_an_idempotency_conflict()
    {
        var id = NewId();
        var given = Given(Opened()).AndAfter(Depositing(100m, id));

        given.When(Withdrawing(100m, id)).ThenRejected(RejectionCode.IdempotencyConflict, "Idempotency-Key");
    }

    [Fact]
    public void Reusing_the_open_command_id_with_another_initial_deposit_is_an_idempotency_conflict()
    {
        var open = Opening(initialDeposit: 10m);
        var opened = Given().AndAfter(open);

        opened.When(open with { InitialDeposit = 0m }).ThenRejected(RejectionCode.IdempotencyConflict, "Idempotency-Key");
    }

    [Fact]
    public void A_rejected_command_is_not_remembered_so_its_retry_is_decided_afresh()
    {
        var withdraw = Withdrawing(150m);
        var given = Given(Opened(), Deposited(100m, 100m));
        given.When(withdraw).ThenRejected(RejectionCode.InsufficientFunds, "amount");

        given.AndAfter(Depositing(50m)).When(withdraw).Then(Withdrawn(150m, 0m, by: withdraw));
    }

    [Fact]
    public void An_empty_command_id_is_refused() =>
        Given(Opened()).When(Depositing(10m, Guid.Empty)).ThenRejected(RejectionCode.Validation, "Idempotency-Key");

    [Fact]
    public void The_window_evicts_the_oldest_command_id_beyond_its_capacity()
    {
        var open = Opening();
        var (a, b, c) = (Depositing(1m), Depositing(2m), Depositing(3m));

        var state = GivenWindow(3).AndAfter(open).AndAfter(a).AndAfter(b).AndAfter(c).State;

        Assert.Equal([a.CommandId, b.CommandId, c.CommandId], state.ProcessedCommands.Entries.Select(e => e.CommandId));
        Assert.False(state.ProcessedCommands.Contains(open.CommandId));
        Assert.Equal(3, state.ProcessedCommands.Capacity);
    }

    [Fact]
    public void An_evicted_command_id_is_treated_as_a_new_command()
    {
        var first = Depositing(1m);
        var given = GivenWindow(2, Opened()).AndAfter(first).AndAfter(Depositing(2m)).AndAfter(Depositing(3m));
        Assert.False(given.State.ProcessedCommands.Contains(first.CommandId));

        var state = given.When(first).Then(Deposited(1m, 7m, by: first));

        Assert.Equal(new ProcessedCommand(first.CommandId, "deposit:1", state.Version, 7m, AccountStatus.Open),
            state.ProcessedCommands.Entries[^1]);
    }

    [Fact]
    public void The_window_rebuilt_from_the_events_equals_the_window_built_command_by_command()
    {
        AccountCommand[] commands =
        [
            Opening(initialDeposit: 5m), Depositing(10m), Withdrawing(2.5m), Depositing(0.5m),
            Withdrawing(13m), Depositing(1m), Withdrawing(1m), Closing(),
        ];
        var state = AccountState.Initial(Acc, idempotencyWindow: 4);
        var journal = new List<AccountEvent>();
        foreach (var command in commands)
        {
            var events = Assert.IsType<Decision.Accepted>(AccountDecider.Decide(state, command)).Events;
            journal.AddRange(events);
            state = AccountDecider.Fold(state, events);
        }

        var recovered = AccountDecider.Fold(AccountState.Initial(Acc, idempotencyWindow: 4), journal);

        Assert.Equal(state.ProcessedCommands, recovered.ProcessedCommands);
        Assert.Equal(state, recovered);
        Assert.Equal(commands[^4..].Select(c => c.CommandId), recovered.ProcessedCommands.Entries.Select(e => e.CommandId));
    }

    [Fact]
    public void A_journal_written_with_a_smaller_window_replays_under_a_larger_one()
    {
        var reused = NewId();
        var history = new AccountEvent[]
        {
            Opened(), Deposited(1m, 1m) with { CommandId = reused }, Deposited(2m, 3m), Deposited(3m, 6m),
            Withdrawn(1m, 5m) with { CommandId = reused },  // accepted as new: the id had left a window of 2
        };

        var state = AccountDecider.Fold(AccountState.Initial(Acc, idempotencyWindow: 10), history);

        Assert.Equal(4, state.ProcessedCommands.Count);
        Assert.Equal(new ProcessedCommand(reused, "withdraw:1", 5, 5m, AccountStatus.Open), state.ProcessedCommands.Entries[^1]);
    }

    public static TheoryData<AccountCommand> CommandsOfEveryKind() => new()
    {
        new OpenAccount(Acc, " Bob ", "USD", 0m, NewId(), T1),
        new OpenAccount(Acc, "Bob: the builder", "USD", 12.30m, NewId(), T1),
        new Deposit(Acc, 100.50m, NewId(), T1),
        new Withdraw(Acc, 20.00m, NewId(), T1),
        new CloseAccount(Acc, NewId(), T1),
    };

    [Theory]
    [MemberData(nameof(CommandsOfEveryKind))]
    public void The_fingerprint_recovered_from_the_events_is_the_fingerprint_of_the_command(AccountCommand command)
    {
        var history = command switch
        {
            OpenAccount => [],
            Withdraw => [Opened(), Deposited(20m, 20m)],
            _ => new AccountEvent[] { Opened() },
        };
        var given = Given(history);

        var after = AccountDecider.Fold(given.State, Assert.IsType<Decision.Accepted>(AccountDecider.Decide(given.State, command)).Events);

        Assert.True(after.ProcessedCommands.TryGet(command.CommandId, out var remembered));
        Assert.Equal(CommandFingerprint.Of(command), remembered.Fingerprint);
    }
}
