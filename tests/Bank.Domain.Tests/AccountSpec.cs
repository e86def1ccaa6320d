namespace Bank.Domain.Tests;

/// <summary>
/// Given/When/Then for the account decider:
/// <c>Given(Opened(), Deposited(100, 100)).When(Withdrawing(150)).ThenRejected(RejectionCode.InsufficientFunds, "amount")</c>.
/// History events are stamped <see cref="T0"/>, commands <see cref="T1"/>; expected events take id and time from the command (<c>by:</c>).
/// </summary>
internal static class AccountSpec
{
    public const string Acc = "acc-1";
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset T1 = T0.AddHours(1);

    private static int _lastId;

    /// <summary>Distinct, readable ids (00000001-0000-..., 00000002-0000-...).</summary>
    public static Guid NewId() => new(Interlocked.Increment(ref _lastId), 0, 0, new byte[8]);

    public static Scenario Given(params AccountEvent[] history) => GivenWindow(IdempotencyWindow.DefaultCapacity, history);

    public static Scenario GivenWindow(int capacity, params AccountEvent[] history) =>
        new(AccountDecider.Fold(AccountState.Initial(Acc, capacity), history));

    // ---- commands (at T1) ----

    public static OpenAccount Opening(string owner = "Alice", string currency = "EUR", decimal initialDeposit = 0m, Guid? id = null) =>
        new(Acc, owner, currency, initialDeposit, id ?? NewId(), T1);

    public static Deposit Depositing(decimal amount, Guid? id = null) => new(Acc, amount, id ?? NewId(), T1);

    public static Withdraw Withdrawing(decimal amount, Guid? id = null) => new(Acc, amount, id ?? NewId(), T1);

    public static CloseAccount Closing(Guid? id = null) => new(Acc, id ?? NewId(), T1);

    // ---- events (history at T0 with a fresh id, or expected: id and time of the command given as by) ----

    public static AccountOpened Opened(string owner = "Alice", string currency = "EUR", AccountCommand? by = null) =>
        new(Acc, owner, currency, by?.CommandId ?? NewId(), by?.Now ?? T0);

    public static MoneyDeposited Deposited(decimal amount, decimal balanceAfter, AccountCommand? by = null) =>
        new(Acc, amount, balanceAfter, by?.CommandId ?? NewId(), by?.Now ?? T0);

    public static MoneyWithdrawn Withdrawn(decimal amount, decimal balanceAfter, AccountCommand? by = null) =>
        new(Acc, amount, balanceAfter, by?.CommandId ?? NewId(), by?.Now ?? T0);

    public static AccountClosed Closed(AccountCommand? by = null) =>
        new(Acc, 0m, by?.CommandId ?? NewId(), by?.Now ?? T0);

    public static decimal Dec(string value) => decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
}

internal sealed class Scenario(AccountState state)
{
    public AccountState State => state;

    public Outcome When(AccountCommand command) => new(state, AccountDecider.Decide(state, command));

    /// <summary>Decides and, when accepted, evolves: for building up a state command by command.</summary>
    public Scenario AndAfter(AccountCommand command) =>
        AccountDecider.Decide(state, command) is Decision.Accepted accepted
            ? new Scenario(AccountDecider.Fold(state, accepted.Events))
            : throw new InvalidOperationException($"Setup command {command} was not accepted.");
}

internal sealed class Outcome(AccountState before, Decision decision)
{
    public Decision Decision => decision;

    /// <summary>Asserts exactly these events and returns the state after them.</summary>
    public AccountState Then(params AccountEvent[] expected)
    {
        var accepted = Assert.IsType<Decision.Accepted>(decision);
        Assert.Equal(expected, accepted.Events);
        return AccountDecider.Fold(before, accepted.Events);
    }

    /// <summary>Asserts a rejection with this code and field, and a non-blank human reason; nothing is produced.</summary>
    public Rejection ThenRejected(RejectionCode code, string? field)
    {
        var rejected = Assert.IsType<Decision.Rejected>(decision);
        Assert.Equal(code, rejected.Rejection.Code);
        Assert.Equal(field, rejected.Rejection.Field);
        Assert.False(string.IsNullOrWhiteSpace(rejected.Rejection.Reason));
        Assert.EndsWith(".", rejected.Rejection.Reason, StringComparison.Ordinal);
        return rejected.Rejection;
    }

    /// <summary>Asserts a duplicate: no events, the original outcome is returned.</summary>
    public ProcessedCommand ThenDuplicate(long version, decimal balance, AccountStatus status)
    {
        var duplicate = Assert.IsType<Decision.Duplicate>(decision);
        Assert.Equal(version, duplicate.Original.Version);
        Assert.Equal(balance, duplicate.Original.Balance);
        Assert.Equal(status, duplicate.Original.Status);
        return duplicate.Original;
    }
}
