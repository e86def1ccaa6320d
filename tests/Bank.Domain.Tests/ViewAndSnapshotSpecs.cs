using System.Text.Json;
using static Bank.Domain.Tests.AccountSpec;

namespace Bank.Domain.Tests;

public sealed class ViewAndSnapshotSpecs
{
    [Fact]
    public void The_view_of_an_account_is_what_the_api_returns()
    {
        var state = Given(Opened("Alice", "CHF"), Deposited(12.5m, 12.5m)).State;

        Assert.Equal(new AccountView(Acc, "Alice", "CHF", 12.5m, AccountStatus.Open, 2), AccountView.From(state));
    }

    [Fact]
    public void An_account_that_was_never_opened_has_no_view() =>
        Assert.Throws<InvalidOperationException>(() => AccountView.From(AccountState.Initial(Acc)));

    [Fact]
    public void A_fresh_account_state_is_cheap_it_shares_no_per_command_memory()
    {
        var state = AccountState.Initial(Acc);

        Assert.Equal(AccountStatus.NotOpened, state.Status);
        Assert.Equal(0, state.Version);
        Assert.Equal(0, state.ProcessedCommands.Count);
        Assert.Equal(IdempotencyWindow.DefaultCapacity, state.ProcessedCommands.Capacity);
        Assert.Empty(state.ProcessedCommands.Entries);
    }

    [Fact]
    public void A_snapshot_of_the_state_round_trips_through_json_including_the_idempotency_window()
    {
        var deposit = Depositing(99.99m);
        var state = GivenWindow(10, Opened(), Deposited(0.01m, 0.01m)).AndAfter(deposit).State;

        var json = JsonSerializer.Serialize(state);
        var restored = JsonSerializer.Deserialize<AccountState>(json);

        Assert.Equal(state, restored);
        new Scenario(restored!).When(deposit).ThenDuplicate(version: 3, balance: 100m, AccountStatus.Open);
    }

    [Fact]
    public void Events_round_trip_through_json_by_their_concrete_type()
    {
        AccountEvent[] events = [Opened(), Deposited(1.10m, 1.10m), Withdrawn(0.1m, 1m), Closed()];

        var restored = events.Select(e => (AccountEvent)JsonSerializer.Deserialize(JsonSerializer.Serialize(e, e.GetType()), e.GetType())!);

        Assert.Equal(events, restored);
    }

    [Fact]
    public void Restoring_a_window_refuses_more_entries_than_capacity_or_repeated_ids()
    {
        var entry = new ProcessedCommand(NewId(), "close", 3, 0m, AccountStatus.Closed);
        var other = entry with { CommandId = NewId() };

        Assert.Throws<ArgumentException>(() => new IdempotencyWindow(1, [entry, other]));
        Assert.Throws<ArgumentException>(() => new IdempotencyWindow(5, [entry, entry]));
        Assert.Throws<ArgumentOutOfRangeException>(() => IdempotencyWindow.Empty(0));
    }

    [Fact]
    public void Shrinking_a_window_keeps_the_newest_entries()
    {
        var state = GivenWindow(5, Opened(), Deposited(1m, 1m), Deposited(1m, 2m), Deposited(1m, 3m)).State;

        var shrunk = state.ProcessedCommands.WithCapacity(2);

        Assert.Equal(state.ProcessedCommands.Entries.Skip(2), shrunk.Entries);
        Assert.Equal(2, shrunk.Capacity);
    }
}
