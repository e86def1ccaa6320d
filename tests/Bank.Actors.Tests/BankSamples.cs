using Bank.Actors.Accounts;
using Bank.Actors.ReadSide;
using Bank.Actors.Transfers;
using Bank.Domain;

namespace Bank.Actors.Tests;

/// <summary>One instance of every type the bank serializer writes, with values that would not survive a sloppy format.</summary>
internal static class BankSamples
{
    public static readonly Guid OpeningId = Guid.Parse("0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a01");
    public static readonly Guid DepositId = Guid.Parse("0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a02");
    public static readonly Guid WithdrawalId = Guid.Parse("0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a03");

    // Not UTC: the offset must come back as written.
    public static readonly DateTimeOffset At = new(2026, 11, 22, 13, 0, 0, TimeSpan.FromHours(1));

    public static readonly AccountOpened Opened = new("acc-1", "Ada Lovelace", "EUR", OpeningId, At);

    // 19 significant digits: a double would round them; a scale of 2 that must stay 2 ("100.50", not "100.5").
    public static readonly MoneyDeposited Deposited = new("acc-1", 12345678901234567.89m, 12345678901234567.89m, DepositId, At.AddMinutes(1));

    public static readonly MoneyWithdrawn Withdrawn = new("acc-1", 12345678901234467.39m, 100.50m, WithdrawalId, At.AddMinutes(2));

    /// <summary>An open account whose idempotency window (capacity 5) remembers its three commands.</summary>
    public static AccountState State { get; } = AccountDecider.Fold(AccountState.Initial("acc-1", idempotencyWindow: 5), [Opened, Deposited, Withdrawn]);

    public static readonly Guid TransferId = Guid.Parse("5d7e9b1a-3c2f-4e8d-a1b0-9f8e7d6c5b4a");

    /// <summary>A transfer that was debited, refused by its target, and is being refunded.</summary>
    public static TransferState Transfer { get; } = TransferDecider.Fold(TransferState.Initial(TransferId), [
        new TransferRequested(TransferId, "acc-1", "acc-2", "EUR", 12345678901234.50m, At),
        new TransferSourceDebited(TransferId, At.AddSeconds(1)),
        new TransferCreditRefused(TransferId, RejectionCode.AccountClosed, "Account 'acc-2' is closed.", At.AddSeconds(2))]);

    public static IReadOnlyDictionary<Type, object> ByType { get; } = new Dictionary<Type, object>
    {
        [typeof(AccountOpened)] = Opened,
        [typeof(MoneyDeposited)] = Deposited,
        [typeof(MoneyWithdrawn)] = Withdrawn,
        [typeof(AccountClosed)] = new AccountClosed("acc-1", 0.00m, Guid.Parse("0b1e5a84-0c4c-4d5e-9a43-6b8f2f6f0a04"), At.AddDays(1)),
        [typeof(AccountState)] = State,
        [typeof(OpenAccount)] = new OpenAccount("acc-1", "Ada Lovelace", "EUR", 100.50m, OpeningId, At),
        [typeof(Deposit)] = new Deposit("acc-1", 0.01m, DepositId, At),
        [typeof(Withdraw)] = new Withdraw("acc-1", 999_999_999_999.99m, WithdrawalId, At),
        [typeof(CloseAccount)] = new CloseAccount("acc-1", OpeningId, At),
        [typeof(GetAccount)] = new GetAccount("acc-1"),
        [typeof(AccountReply.Accepted)] = new AccountReply.Accepted(new AccountView("acc-1", "Ada Lovelace", "EUR", 100.50m, AccountStatus.Closed, 7), WasDuplicate: true),
        [typeof(AccountReply.Rejected)] = new AccountReply.Rejected(new Rejection(RejectionCode.InsufficientFunds, "amount", "Withdrawal of 10.01 exceeds the available balance of 10.00.")),
        [typeof(AccountReply.JournalFailed)] = new AccountReply.JournalFailed("TimeoutException: the database did not answer"),
        [typeof(AccountReply.PersistRejected)] = new AccountReply.PersistRejected("SerializationException: no manifest"),
        [typeof(GetProjectionStatus)] = new GetProjectionStatus("bank-accounts"),
        [typeof(RebuildProjection)] = new RebuildProjection("bank-accounts"),
        [typeof(ProjectionReply.Status)] = new ProjectionReply.Status("akka.tcp://bank@127.0.0.1:4051", "bank-accounts", "rebuilding", 1200, 5000, 3800, 1.25,
            At, "TimeoutException: the database did not answer", At.AddSeconds(3), 2, 1200, 3,
            new RebuildStatus(At, 5000, 1200, 1200, 960.5, CompletedAt: null)),
        [typeof(ProjectionReply.Failed)] = new ProjectionReply.Failed("bank-accounts", NotFound: false, "NpgsqlException: the database did not answer"),
        [typeof(TransferDebited)] = new TransferDebited("acc-1", TransferId, "acc-2", 0.10m, 100.40m, OpeningId, At) { AwaitsSettlement = true },
        [typeof(TransferCredited)] = new TransferCredited("acc-2", TransferId, "acc-1", 0.10m, 0.10m, DepositId, At),
        [typeof(TransferRefunded)] = new TransferRefunded("acc-1", TransferId, "acc-2", 0.10m, 100.50m, WithdrawalId, At),
        [typeof(TransferSettled)] = new TransferSettled("acc-1", TransferId, "acc-2", 0.10m, DepositId, At) { IssuedBy = new Issuer("ada", Role.Customer) },
        [typeof(DebitForTransfer)] = new DebitForTransfer("acc-1", TransferId, "acc-2", "EUR", 0.10m, OpeningId, At),
        [typeof(CreditForTransfer)] = new CreditForTransfer("acc-2", TransferId, "acc-1", "EUR", 0.10m, DepositId, At),
        [typeof(RefundTransfer)] = new RefundTransfer("acc-1", TransferId, "acc-2", 0.10m, WithdrawalId, At),
        [typeof(SettleTransfer)] = new SettleTransfer("acc-1", TransferId, "acc-2", 0.10m, DepositId, At) { IssuedBy = new Issuer("teller-1", Role.Teller) },
        [typeof(TransferRequested)] = new TransferRequested(TransferId, "acc-1", "acc-2", "EUR", 12345678901234.50m, At),
        [typeof(TransferSourceDebited)] = new TransferSourceDebited(TransferId, At),
        [typeof(TransferCreditRefused)] = new TransferCreditRefused(TransferId, RejectionCode.CurrencyMismatch, "Account 'acc-2' holds USD, not EUR.", At),
        [typeof(TransferTargetCredited)] = new TransferTargetCredited(TransferId, At),
        [typeof(TransferCompleted)] = new TransferCompleted(TransferId, At),
        [typeof(TransferFailed)] = new TransferFailed(TransferId, RejectionCode.InsufficientFunds, "Not enough.", At),
        [typeof(TransferState)] = Transfer,
        [typeof(RequestTransfer)] = new RequestTransfer(TransferId, "acc-1", "acc-2", 0.10m, At),
        [typeof(GetTransfer)] = new GetTransfer(TransferId),
        [typeof(TransferReply.Accepted)] = new TransferReply.Accepted(Transfer, WasDuplicate: true),
        [typeof(TransferReply.Rejected)] = new TransferReply.Rejected(new Rejection(RejectionCode.NotFound, "fromAccountId", "Account 'x' does not exist.")),
        [typeof(TransferReply.Unavailable)] = new TransferReply.Unavailable("Account 'acc-1' did not answer: AskTimeoutException."),
    };
}
