using System.Text.RegularExpressions;
using static Bank.Domain.Tests.AccountSpec;

namespace Bank.Domain.Tests;

public sealed class AccountRulesSpecs
{
    [Fact]
    public void The_limits_are_exposed_as_constants()
    {
        Assert.Equal(1_000_000_000_000.00m, AccountRules.MaxAmount);
        Assert.Equal(2, AccountRules.MaxDecimals);
        Assert.Equal(200, AccountRules.MaxOwnerLength);
        Assert.Equal("^[A-Za-z0-9_-]{1,64}$", AccountRules.AccountIdPattern);
        Assert.Equal("EUR", AccountRules.DefaultCurrency);
    }

    [Theory]
    [InlineData("acc-1", true)]
    [InlineData("ACC_2024-xyz", true)]
    [InlineData("0", true)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("a\n", false)]
    [InlineData("ä", false)]
    [InlineData("a;DROP", false)]
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234", true)]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345", false)]
    public void ValidateAccountId_accepts_exactly_what_AccountIdPattern_matches(string accountId, bool valid)
    {
        var rejection = AccountRules.ValidateAccountId(accountId);

        Assert.Equal(valid, rejection is null);
        Assert.Equal(valid, Regex.IsMatch(accountId, AccountRules.AccountIdPattern.Replace("$", @"\z", StringComparison.Ordinal)));
        if (rejection is not null) Assert.Equal(new Rejection(RejectionCode.Validation, "accountId", rejection.Reason), rejection);
    }

    [Fact]
    public void ValidateAccountId_refuses_null() =>
        Assert.Equal(RejectionCode.Validation, AccountRules.ValidateAccountId(null)?.Code);

    [Fact]
    public void Fingerprints_ignore_the_command_id_time_and_decimal_scale()
    {
        Assert.Equal("deposit:100.5", CommandFingerprint.Of(Depositing(100.5m)));
        Assert.Equal("deposit:100.5", CommandFingerprint.Of(Depositing(100.50m)));
        Assert.Equal("withdraw:20", CommandFingerprint.Of(Withdrawing(20.00m)));
        Assert.Equal("close", CommandFingerprint.Of(Closing()));
        Assert.Equal("open:EUR:0:Alice", CommandFingerprint.Of(Opening(owner: " Alice ", initialDeposit: 0.00m)));
        Assert.Equal(CommandFingerprint.Of(Opening(initialDeposit: 1.100m)), CommandFingerprint.Of(Opening(initialDeposit: 1.1m)));
    }
}
