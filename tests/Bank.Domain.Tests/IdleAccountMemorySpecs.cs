using System.Text.Json;
using static Bank.Domain.Tests.AccountSpec;
using static Bank.Domain.Tests.IdempotencyWindowSpecs;

namespace Bank.Domain.Tests;

/// <summary>
/// The compact forms an idle recovered account keeps (a one-entry idempotency window without a log, a derived open
/// fingerprint, a shared currency string, packed times) behave exactly like the plain ones.
/// </summary>
public sealed class IdleAccountMemorySpecs
{
    // ---- a window holding one entry ----

    [Fact]
    public void A_one_entry_window_then_a_second_remember_holds_both_and_leaves_the_one_entry_window_unchanged()
    {
        var (a, b) = (Entry(Id()), Entry(Id(), 2));
        var one = IdempotencyWindow.Empty().Remember(a);

        var two = one.Remember(b);

        Assert.Equal([a], one.Entries);
        Assert.Equal([a, b], two.Entries);
        Assert.True(two.TryGet(a.CommandId, out var foundA) && ReferenceEquals(foundA, a));
        Assert.True(two.Contains(b.CommandId));
        Assert.False(one.Contains(b.CommandId));
        Assert.Equal([a, Entry(b.CommandId, 3)], two.Remember(Entry(b.CommandId, 3)).Entries);
        Assert.Equal([b, a with { Version = 4 }], two.Remember(a with { Version = 4 }).Entries);
    }

    [Fact]
    public void A_second_remember_from_an_older_one_entry_version_branches_without_touching_the_newer_ones()
    {
        var a = Entry(Id());
        var one = IdempotencyWindow.Empty(5).Remember(a);
        var newer = Remembering(one, Entries(3));
        var newerEntries = newer.Entries;

        var branch = one.Remember(Entry(Id(), 9));
        var branchAgain = one.Remember(Entry(a.CommandId, 10));   // the only id again: updated in place of a copy

        Assert.Equal(newerEntries, newer.Entries);
        Assert.Equal(2, branch.Count);
        Assert.Equal(a, branch.Entries[0]);
        Assert.Equal([Entry(a.CommandId, 10)], branchAgain.Entries);
        Assert.Equal([a], one.Entries);
    }

    [Fact]
    public void The_open_command_with_an_initial_deposit_stays_one_entry()
    {
        var open = Opening("Ada", initialDeposit: 100m);

        var state = Given(Opened("Ada", by: open), Deposited(100m, 100m, by: open)).State;

        Assert.Equal([new ProcessedCommand(open.CommandId, "open:EUR:100:Ada", 2, 100m, AccountStatus.Open)], state.ProcessedCommands.Entries);
        Assert.Equal(2, AccountDecider.Evolve(state, Deposited(1m, 101m)).ProcessedCommands.Count);   // another command: a second entry
    }

    [Fact]
    public void A_window_of_capacity_one_keeps_only_the_newest_entry()
    {
        var entries = Entries(4);

        var window = Remembering(IdempotencyWindow.Empty(1), entries);

        Assert.Equal([entries[^1]], window.Entries);
        Assert.False(window.Contains(entries[0].CommandId));
        Assert.Equal(Remembering(IdempotencyWindow.Empty(3), entries).WithCapacity(1), window);
    }

    [Fact]
    public void One_entry_windows_are_equal_however_they_were_built()
    {
        var entries = Entries(3);
        var remembered = IdempotencyWindow.Empty(1).Remember(entries[2]);
        var restored = new IdempotencyWindow(1, [entries[2]]);
        var shrunk = Remembering(IdempotencyWindow.Empty(1000), entries).WithCapacity(1);

        Assert.Equal(remembered, restored);
        Assert.Equal(remembered, shrunk);
        Assert.Equal(remembered.GetHashCode(), shrunk.GetHashCode());
        Assert.NotEqual(remembered, IdempotencyWindow.Empty(1).Remember(entries[1]));
        Assert.NotEqual(remembered, Remembering(IdempotencyWindow.Empty(1), entries).WithCapacity(2));
        Assert.Equal(shrunk.WithCapacity(5).Remember(entries[0]).Entries, [entries[2], entries[0]]);
    }

    [Fact]
    public void A_restored_one_entry_window_keeps_remembering()
    {
        var (a, b, c) = (Entry(Id()), Entry(Id(), 2), Entry(Id(), 3));
        var restored = new IdempotencyWindow(2, [a]);

        var window = restored.Remember(b).Remember(c);

        Assert.Equal([a], restored.Entries);
        Assert.Equal([b, c], window.Entries);
    }

    [Fact]
    public async Task Threads_remembering_from_the_same_one_entry_version_each_get_their_own_window()
    {
        var a = Entry(Id());
        var one = IdempotencyWindow.Empty().Remember(a);
        var own = Entries(64);

        var windows = await Task.WhenAll(own.Select(e => Task.Run(() => Remembering(one.Remember(e), Entries(20)).Pipe(w => (e, w)))));

        Assert.All(windows, x => Assert.Equal([a, x.e], x.w.Entries.Take(2)));
        Assert.All(windows, x => Assert.Equal(22, x.w.Count));
        Assert.Equal([a], one.Entries);
    }

    // ---- the fingerprint of an open command ----

    [Theory]
    [InlineData("EUR", 0, "open:EUR:0:Ada Lovelace")]
    [InlineData("EUR", 100.50, "open:EUR:100.5:Ada Lovelace")]
    [InlineData("CHF", 0.01, "open:CHF:0.01:Ada Lovelace")]
    [InlineData("XTS", 7, "open:XTS:7:Ada Lovelace")]   // not a well-known code: the text is kept
    public void An_open_entry_reads_and_compares_as_the_stored_fingerprint(string currency, double deposit, string fingerprint)
    {
        var open = Opening("Ada Lovelace", currency, (decimal)deposit);
        var history = deposit == 0
            ? new AccountEvent[] { Opened("Ada Lovelace", currency, by: open) }
            : [Opened("Ada Lovelace", currency, by: open), Deposited((decimal)deposit, (decimal)deposit, by: open)];

        var entry = Given(history).State.ProcessedCommands.Entries.Single();
        var stored = new ProcessedCommand(open.CommandId, fingerprint, history.Length, (decimal)deposit, AccountStatus.Open);

        Assert.Equal(fingerprint, entry.Fingerprint);
        Assert.Equal(stored, entry);
        Assert.Equal(entry, stored);
        Assert.Equal(stored.GetHashCode(), entry.GetHashCode());
        Assert.Equal(JsonSerializer.Serialize(stored), JsonSerializer.Serialize(entry));
        Assert.Equal(stored.ToString(), entry.ToString());
        Assert.NotEqual(stored with { Fingerprint = fingerprint + "x" }, entry);
        Assert.NotEqual(entry with { Fingerprint = fingerprint + "x" }, entry);
    }

    [Fact]
    public void A_copy_of_an_open_entry_with_another_balance_keeps_its_fingerprint()
    {
        var entry = Given(Opened("Ada")).State.ProcessedCommands.Entries[0];

        var copy = entry with { Balance = 42m };

        Assert.Equal("open:EUR:0:Ada", copy.Fingerprint);
        Assert.Equal(42m, copy.Balance);
        Assert.Equal("open:EUR:0:Ada", entry.Fingerprint);
        Assert.Equal(new ProcessedCommand(entry.CommandId, "open:EUR:0:Ada", 1, 42m, AccountStatus.Open), copy);
        var (id, fingerprint, version, balance, status) = copy;
        Assert.Equal((entry.CommandId, "open:EUR:0:Ada", 1L, 42m, AccountStatus.Open), (id, fingerprint, version, balance, status));
    }

    [Fact]
    public void A_retried_open_is_still_recognized_and_a_different_open_with_its_key_is_still_a_conflict()
    {
        var open = Opening("Ada", "EUR", 10m);
        var given = Given(Opened("Ada", by: open), Deposited(10m, 10m, by: open));

        Assert.Equal(CommandFingerprint.Of(open), given.State.ProcessedCommands.Entries[0].Fingerprint);
        Assert.NotEqual(CommandFingerprint.Of(open with { InitialDeposit = 11m }), given.State.ProcessedCommands.Entries[0].Fingerprint);
        Assert.NotEqual(CommandFingerprint.Of(open with { Currency = "USD" }), given.State.ProcessedCommands.Entries[0].Fingerprint);
    }

    // ---- a state whose window holds just its open command ----

    [Fact]
    public void A_state_remembering_only_its_open_command_reads_an_equal_window_each_time()
    {
        var open = Opening("Ada");
        var state = Given(Opened("Ada", by: open)).State;
        var expected = IdempotencyWindow.Empty().Remember(new ProcessedCommand(open.CommandId, "open:EUR:0:Ada", 1, 0m, AccountStatus.Open));

        Assert.Equal(expected, state.ProcessedCommands);
        Assert.Equal(expected.GetHashCode(), state.ProcessedCommands.GetHashCode());
        Assert.Equal(IdempotencyWindow.DefaultCapacity, state.ProcessedCommands.Capacity);
        Assert.Equal(state, state with { ProcessedCommands = expected });
        Assert.Equal(state, Given(Opened("Ada", by: open)).State);
        Assert.NotEqual(state, state with { ProcessedCommands = expected.WithCapacity(10) });
        Assert.NotEqual(state, state with { ProcessedCommands = IdempotencyWindow.Empty() });
        Assert.Equal(10, (state with { ProcessedCommands = expected.WithCapacity(10) }).ProcessedCommands.Capacity);
        Assert.Equal(2, AccountDecider.Evolve(state, Deposited(5m, 5m)).ProcessedCommands.Count);
        Assert.Equal(1, state.ProcessedCommands.Count);
    }

    [Fact]
    public void A_state_remembering_only_its_open_command_still_answers_a_retry_and_a_conflict()
    {
        var open = Opening("Ada", initialDeposit: 5m);
        var given = Given(Opened("Ada", by: open), Deposited(5m, 5m, by: open));

        Assert.True(given.State.ProcessedCommands.TryGet(open.CommandId, out var entry));
        Assert.Equal(CommandFingerprint.Of(open), entry.Fingerprint);
        Assert.Equal(new Decision.Duplicate(entry), AccountDecider.Decide(given.State, open with { Now = T1.AddDays(1) }));
        Assert.IsType<Decision.Rejected>(AccountDecider.Decide(given.State, open with { Owner = "Bob" }));
    }

    [Fact]
    public void A_state_without_a_window_stays_without_one()
    {
        var state = AccountState.Initial(Acc) with { ProcessedCommands = null! };

        Assert.Null(state.ProcessedCommands);
        Assert.Equal(state, AccountState.Initial(Acc) with { ProcessedCommands = null! });
    }

    // ---- the currency and the times of the state ----

    [Fact]
    public void Accounts_opened_in_a_well_known_currency_share_one_currency_string()
    {
        var first = Given(Opened("Ada", new string("EUR".AsSpan()))).State;
        var second = Given(Opened("Bob", new string("EUR".AsSpan()))).State;
        var unusual = new string("XTS".AsSpan());

        Assert.Same(first.Currency, second.Currency);
        Assert.Equal("EUR", first.Currency);
        Assert.Same(unusual, Given(Opened("Cy", unusual)).State.Currency);
    }

    [Fact]
    public void The_times_of_a_state_read_back_exactly_and_compare_as_instants()
    {
        var at = new DateTimeOffset(2025, 3, 30, 1, 59, 59, TimeSpan.FromHours(5.5)).AddTicks(1234567);
        var state = Given(Opened() with { At = at }).State;

        Assert.Equal(at, state.OpenedAt);
        Assert.Equal(at.Offset, state.OpenedAt!.Value.Offset);
        Assert.Equal(at.Ticks, state.LastActivityAt!.Value.Ticks);
        Assert.Null(AccountState.Initial(Acc).OpenedAt);
        Assert.Null((state with { LastActivityAt = null }).LastActivityAt);
        Assert.Equal(DateTimeOffset.MinValue, (state with { OpenedAt = DateTimeOffset.MinValue }).OpenedAt);
        Assert.Equal(DateTimeOffset.MaxValue.ToOffset(TimeSpan.FromHours(-14)), (state with { OpenedAt = DateTimeOffset.MaxValue.ToOffset(TimeSpan.FromHours(-14)) }).OpenedAt);

        var sameInstants = state with { OpenedAt = at.ToUniversalTime(), LastActivityAt = at.ToOffset(TimeSpan.FromHours(-3)) };
        Assert.Equal(state, sameInstants);
        Assert.Equal(state.GetHashCode(), sameInstants.GetHashCode());
        Assert.NotEqual(state, state with { OpenedAt = at.AddTicks(1) });
        Assert.NotEqual(state, state with { LastActivityAt = null });
    }

    [Fact]
    public void The_state_serializes_its_times_as_before()
    {
        var at = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(1));
        var state = Given(Opened("Ada") with { At = at }).State;

        var json = JsonSerializer.Serialize(state);

        Assert.Contains("\"OpenedAt\":\"2025-01-02T03:04:05+01:00\"", json);
        Assert.Contains("\"LastActivityAt\":\"2025-01-02T03:04:05+01:00\"", json);
        Assert.Contains("\"Fingerprint\":\"open:EUR:0:Ada\"", json);
        Assert.Equal(state, JsonSerializer.Deserialize<AccountState>(json));
        Assert.Equal(at.Offset, JsonSerializer.Deserialize<AccountState>(json)!.OpenedAt!.Value.Offset);
    }
}
