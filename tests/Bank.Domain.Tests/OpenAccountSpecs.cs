using static Bank.Domain.Tests.AccountSpec;

namespace Bank.Domain.Tests;

public sealed class OpenAccountSpecs
{
    [Fact]
    public void Opening_a_new_account_produces_AccountOpened_and_an_open_account_with_zero_balance()
    {
        var open = Opening(owner: "Alice", currency: "EUR");

        var state = Given().When(open).Then(Opened("Alice", "EUR", by: open));

        Assert.Equal(AccountStatus.Open, state.Status);
        Assert.Equal(0m, state.Balance);
        Assert.Equal(1, state.Version);
        Assert.Equal(("Alice", "EUR"), (state.Owner, state.Currency));
    }

    [Fact]
    public void Opening_with_an_initial_deposit_produces_opened_then_deposited_under_the_same_command_id()
    {
        var open = Opening(initialDeposit: 250.75m);

        var state = Given().When(open).Then(Opened(by: open), Deposited(250.75m, 250.75m, by: open));

        Assert.Equal(250.75m, state.Balance);
        Assert.Equal(2, state.Version);
    }

    [Fact]
    public void The_owner_is_stored_trimmed()
    {
        var open = Opening(owner: "  Alice Smith \t");

        Given().When(open).Then(Opened("Alice Smith", by: open));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void A_blank_owner_is_refused(string owner) =>
        Given().When(Opening(owner: owner)).ThenRejected(RejectionCode.Validation, "owner");

    [Fact]
    public void An_owner_of_200_characters_is_accepted_but_201_is_refused()
    {
        var longest = Opening(owner: new string('o', AccountRules.MaxOwnerLength));
        Given().When(longest).Then(Opened(longest.Owner, by: longest));

        Given().When(Opening(owner: new string('o', AccountRules.MaxOwnerLength + 1))).ThenRejected(RejectionCode.Validation, "owner");
    }

    [Theory]
    [InlineData("eur")]
    [InlineData("EU")]
    [InlineData("EURO")]
    [InlineData("E1R")]
    [InlineData("")]
    [InlineData("ÉUR")]
    public void A_currency_that_is_not_three_uppercase_letters_is_refused(string currency) =>
        Given().When(Opening(currency: currency)).ThenRejected(RejectionCode.Validation, "currency");

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    [InlineData("konto-ü")]
    [InlineData("acc.1")]
    public void An_invalid_account_id_is_refused(string accountId) =>
        new Scenario(AccountState.Initial(accountId))
            .When(new OpenAccount(accountId, "Alice", "EUR", 0m, NewId(), T1))
            .ThenRejected(RejectionCode.Validation, "accountId");

    [Fact]
    public void An_account_id_of_64_characters_is_accepted_but_65_is_refused()
    {
        var longest = new string('a', AccountRules.MaxAccountIdLength);
        var accepted = AccountDecider.Decide(AccountState.Initial(longest), new OpenAccount(longest, "Alice", "EUR", 0m, NewId(), T1));
        Assert.IsType<Decision.Accepted>(accepted);

        var tooLong = longest + "a";
        new Scenario(AccountState.Initial(tooLong))
            .When(new OpenAccount(tooLong, "Alice", "EUR", 0m, NewId(), T1))
            .ThenRejected(RejectionCode.Validation, "accountId");
    }

    [Theory]
    [InlineData("-0.01")]
    [InlineData("0.001")]
    [InlineData("1000000000000.01")]
    public void An_invalid_initial_deposit_is_refused_on_the_initialDeposit_field(string amount) =>
        Given().When(Opening(initialDeposit: Dec(amount))).ThenRejected(RejectionCode.Validation, "initialDeposit");

    [Fact]
    public void Opening_an_account_that_is_already_open_is_refused_as_AlreadyExists() =>
        Given(Opened()).When(Opening()).ThenRejected(RejectionCode.AlreadyExists, "accountId");

    [Fact]
    public void Opening_an_account_that_was_closed_is_refused_as_AlreadyExists() =>
        Given(Opened(), Closed()).When(Opening()).ThenRejected(RejectionCode.AlreadyExists, "accountId");
}
