using static Bank.Domain.Tests.AccountSpec;

namespace Bank.Domain.Tests;

public sealed class EvolveSpecs
{
    [Fact]
    public void Evolve_counts_events_as_the_version_and_tracks_opening_and_last_activity_times()
    {
        var state = AccountDecider.Fold(AccountState.Initial(Acc), [
            Opened() with { At = T0 },
            Deposited(10m, 10m) with { At = T1 },
            Withdrawn(4m, 6m) with { At = T1.AddDays(1) },
        ]);

        Assert.Equal(3, state.Version);
        Assert.Equal(6m, state.Balance);
        Assert.Equal(T0, state.OpenedAt);
        Assert.Equal(T1.AddDays(1), state.LastActivityAt);
    }

    [Fact]
    public void Evolve_returns_a_new_state_and_leaves_the_old_one_untouched()
    {
        var before = Given(Opened()).State;

        var after = AccountDecider.Evolve(before, Deposited(5m, 5m));

        Assert.NotSame(before, after);
        Assert.Equal((0m, 1L, 1), (before.Balance, before.Version, before.ProcessedCommands.Count));
        Assert.Equal((5m, 2L, 2), (after.Balance, after.Version, after.ProcessedCommands.Count));
    }

    public static TheoryData<string, AccountEvent[]> ImpossibleHistories() => new()
    {
        { "deposit before opening", [Deposited(10m, 10m)] },
        { "withdrawal before opening", [Withdrawn(10m, 0m)] },
        { "close before opening", [Closed()] },
        { "opened twice", [Opened(), Opened()] },
        { "balance after does not add up", [Opened(), Deposited(10m, 11m)] },
        { "withdrawal below zero", [Opened(), Deposited(10m, 10m), Withdrawn(15m, -5m)] },
        { "non-positive deposit", [Opened(), Deposited(0m, 0m)] },
        { "closed with money left", [Opened(), Deposited(10m, 10m), new AccountClosed(Acc, 10m, NewId(), T0)] },
        { "final balance does not match", [Opened(), new AccountClosed(Acc, 3m, NewId(), T0)] },
        { "deposit after closing", [Opened(), Closed(), Deposited(10m, 10m)] },
        { "event of another account", [Opened() with { AccountId = "acc-2" }] },
    };

    [Theory]
    [MemberData(nameof(ImpossibleHistories))]
    public void Evolve_throws_on_an_event_that_cannot_apply(string impossibility, AccountEvent[] history)
    {
        var error = Assert.Throws<InvalidOperationException>(() => AccountDecider.Fold(AccountState.Initial(Acc), history));

        Assert.False(string.IsNullOrWhiteSpace(error.Message), impossibility);
    }

    [Fact]
    public void Decide_throws_when_given_the_state_of_another_account() =>
        Assert.Throws<ArgumentException>(() => AccountDecider.Decide(AccountState.Initial("acc-2"), Depositing(1m)));
}
