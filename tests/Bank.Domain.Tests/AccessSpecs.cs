using static Bank.Domain.Tests.AccountSpec;

namespace Bank.Domain.Tests;

/// <summary>Who may act on an account (issue 14): a customer only on its own; staff on any; every event records its issuer.</summary>
public sealed class AccessSpecs
{
    private static readonly Issuer Alice = new("Alice", Role.Customer);
    private static readonly Issuer Mallory = new("Mallory", Role.Customer);
    private static readonly Issuer Teller = new("teller-1", Role.Teller);

    [Fact]
    public void A_customer_opens_an_account_for_itself_and_the_events_record_it_as_the_issuer()
    {
        var open = Opening(owner: "Alice", initialDeposit: 10m) with { IssuedBy = Alice };
        Given().When(open).Then(
            Opened("Alice", by: open) with { IssuedBy = Alice },
            Deposited(10m, 10m, by: open) with { IssuedBy = Alice });
    }

    [Fact]
    public void A_customer_cannot_open_an_account_for_someone_else()
    {
        Given().When(Opening(owner: "Alice") with { IssuedBy = Mallory }).ThenRejected(RejectionCode.Validation, "owner");
    }

    [Fact]
    public void A_customer_cannot_open_an_id_someone_else_holds_and_learns_no_more_than_that_it_exists()
    {
        var alices = Opening(owner: "Alice", initialDeposit: 5m);
        var given = Given().AndAfter(alices);
        // Even a replay of Alice's own command (same key, same intent) does not show her account to Mallory.
        given.When(alices with { IssuedBy = Mallory }).ThenRejected(RejectionCode.AlreadyExists, "accountId");
    }

    [Theory]
    [MemberData(nameof(ChangesOfAlicesAccount))]
    public void Someone_elses_account_is_refused_to_a_customer_as_if_it_did_not_exist(AccountCommand command)
    {
        var given = Given(Opened("Alice"), Deposited(100m, 100m));
        var refused = given.When(command with { IssuedBy = Mallory }).ThenRejected(RejectionCode.NotFound, "accountId");
        Assert.Equal($"Account '{Acc}' does not exist.", refused.Reason);
    }

    public static TheoryData<AccountCommand> ChangesOfAlicesAccount => [Depositing(1m), Withdrawing(1m), Closing()];

    [Fact]
    public void A_replayed_command_id_does_not_reveal_someone_elses_account()
    {
        var deposit = Depositing(5m);
        var given = Given(Opened("Alice")).AndAfter(deposit);
        given.When(deposit with { IssuedBy = Mallory }).ThenRejected(RejectionCode.NotFound, "accountId");
        Assert.IsType<Decision.Duplicate>(given.When(deposit with { IssuedBy = Alice }).Decision);
    }

    [Fact]
    public void The_owner_and_staff_act_on_the_account_and_each_event_records_who_did()
    {
        var given = Given(Opened("Alice"), Deposited(100m, 100m));
        var byAlice = Withdrawing(30m) with { IssuedBy = Alice };
        var byTeller = Withdrawing(20m) with { IssuedBy = Teller };
        var state = given.When(byAlice).Then(Withdrawn(30m, 70m, by: byAlice) with { IssuedBy = Alice });
        new Scenario(state).When(byTeller).Then(Withdrawn(20m, 50m, by: byTeller) with { IssuedBy = Teller });
    }

    [Fact]
    public void Without_an_issuer_commands_are_decided_as_before_and_their_events_have_none()
    {
        var open = Opening(owner: "Alice");
        var opened = Assert.IsType<Decision.Accepted>(Given().When(open).Decision);
        Assert.Null(Assert.Single(opened.Events).IssuedBy);
    }
}
