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
    public void A_fresh_account_state_is_not_opened_and_remembers_no_command()
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
    public void A_snapshot_keeps_its_json_shape_so_stored_snapshots_still_load()
    {
        // The shape snapshots already in journals have: the window as its capacity, count and entries oldest first.
        const string stored =
            """
            {"AccountId":"acc-1","Owner":"Ada","Currency":"EUR","Balance":69.75,"Status":1,"Version":4,
             "OpenedAt":"2026-11-22T12:00:00+01:00","LastActivityAt":"2026-11-22T12:05:00+01:00",
             "ProcessedCommands":{"Capacity":1000,"Count":3,"Entries":[
               {"CommandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a01","Fingerprint":"open:EUR:100:Ada","Version":2,"Balance":100,"Status":1},
               {"CommandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a02","Fingerprint":"deposit:0.5","Version":3,"Balance":100.5,"Status":1},
               {"CommandId":"0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a03","Fingerprint":"withdraw:30.75","Version":4,"Balance":69.75,"Status":1}]}}
            """;

        var state = JsonSerializer.Deserialize<AccountState>(stored)!;

        var opened = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.FromHours(1));
        Assert.Equal(("Ada", "EUR", 69.75m, AccountStatus.Open, 4L, opened, opened.AddMinutes(5)),
            (state.Owner, state.Currency, state.Balance, state.Status, state.Version, state.OpenedAt, state.LastActivityAt));
        Assert.Equal(TimeSpan.FromHours(1), state.OpenedAt!.Value.Offset);
        Assert.Equal(1000, state.ProcessedCommands.Capacity);
        Assert.Equal(["open:EUR:100:Ada", "deposit:0.5", "withdraw:30.75"], state.ProcessedCommands.Entries.Select(e => e.Fingerprint));
        Assert.Equal(string.Concat(stored.Split('\n').Select(line => line.Trim())), JsonSerializer.Serialize(state));
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
