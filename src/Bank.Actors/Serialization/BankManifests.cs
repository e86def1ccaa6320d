using Bank.Actors.Accounts;
using Bank.Actors.ReadSide;
using Bank.Actors.Transfers;
using Bank.Domain;

namespace Bank.Actors.Serialization;

/// <summary>
/// The stable names under which the bank's messages are stored in the journal and sent between nodes. A name is
/// never changed or reused: a new shape gets a new name, and the old one an upcaster (<see cref="BankUpcasters"/>).
/// </summary>
public static class BankManifests
{
    /// <summary>v2: the owner is a subject (a token's sub); v1's free-text owner is upcast (<see cref="BankUpcasters.AccountOpenedV1"/>).</summary>
    public const string AccountOpened = "bank.account-opened.v2";
    public const string MoneyDeposited = "bank.money-deposited.v1";
    public const string MoneyWithdrawn = "bank.money-withdrawn.v1";
    public const string AccountClosed = "bank.account-closed.v1";
    /// <summary>
    /// Still v1 with <c>awaitsSettlement</c> added: a field only ever added, whose absence in the debits stored before
    /// settlements existed reads as false, which is what those debits mean (their transfers never settle).
    /// </summary>
    public const string TransferDebited = "bank.transfer-debited.v1";
    public const string TransferCredited = "bank.transfer-credited.v1";
    public const string TransferRefunded = "bank.transfer-refunded.v1";
    public const string TransferSettled = "bank.transfer-settled.v1";
    /// <summary>
    /// v1 was the earlier runtime's shape of the state; its databases are refused at start-up, never read. v3: the owner
    /// is a subject, as in <see cref="AccountOpened"/>, and the state carries its transfer ledger; v2 is upcast
    /// (<see cref="BankUpcasters.AccountStateV2"/>: a legacy owner and an empty ledger).
    /// </summary>
    public const string AccountState = "bank.account-state.v3";

    public const string OpenAccount = "bank.open-account.v1";
    public const string Deposit = "bank.deposit.v1";
    public const string Withdraw = "bank.withdraw.v1";
    public const string CloseAccount = "bank.close-account.v1";
    public const string GetAccount = "bank.get-account.v1";
    public const string DebitForTransfer = "bank.debit-for-transfer.v1";
    public const string CreditForTransfer = "bank.credit-for-transfer.v1";
    public const string RefundTransfer = "bank.refund-transfer.v1";
    public const string SettleTransfer = "bank.settle-transfer.v1";

    public const string TransferRequested = "bank.transfer-requested.v1";
    public const string TransferSourceDebited = "bank.transfer-source-debited.v1";
    public const string TransferCreditRefused = "bank.transfer-credit-refused.v1";
    public const string TransferTargetCredited = "bank.transfer-target-credited.v1";
    public const string TransferCompleted = "bank.transfer-completed.v1";
    public const string TransferFailed = "bank.transfer-failed.v1";
    public const string TransferState = "bank.transfer-state.v1";
    public const string RequestTransfer = "bank.request-transfer.v1";
    public const string GetTransfer = "bank.get-transfer.v1";
    public const string TransferAccepted = "bank.transfer-reply-accepted.v1";
    public const string TransferRejected = "bank.transfer-reply-rejected.v1";
    public const string TransferUnavailable = "bank.transfer-reply-unavailable.v1";

    public const string Accepted = "bank.reply-accepted.v1";
    public const string Rejected = "bank.reply-rejected.v1";
    public const string JournalFailed = "bank.reply-journal-failed.v1";
    public const string PersistRejected = "bank.reply-persist-rejected.v1";

    public const string GetProjectionStatus = "bank.get-projection-status.v1";
    public const string RebuildProjection = "bank.rebuild-projection.v1";
    public const string ProjectionStatus = "bank.projection-status.v1";
    public const string ProjectionFailed = "bank.projection-failed.v1";

    /// <summary>Every type the serializer writes, with its manifest. Bound to the serializer by their base types.</summary>
    public static IReadOnlyDictionary<Type, string> ByType { get; } = new Dictionary<Type, string>
    {
        [typeof(Domain.AccountOpened)] = AccountOpened,
        [typeof(Domain.MoneyDeposited)] = MoneyDeposited,
        [typeof(Domain.MoneyWithdrawn)] = MoneyWithdrawn,
        [typeof(Domain.AccountClosed)] = AccountClosed,
        [typeof(Domain.AccountState)] = AccountState,
        [typeof(Domain.OpenAccount)] = OpenAccount,
        [typeof(Domain.Deposit)] = Deposit,
        [typeof(Domain.Withdraw)] = Withdraw,
        [typeof(Domain.CloseAccount)] = CloseAccount,
        [typeof(Accounts.GetAccount)] = GetAccount,
        [typeof(AccountReply.Accepted)] = Accepted,
        [typeof(AccountReply.Rejected)] = Rejected,
        [typeof(AccountReply.JournalFailed)] = JournalFailed,
        [typeof(AccountReply.PersistRejected)] = PersistRejected,
        [typeof(ReadSide.GetProjectionStatus)] = GetProjectionStatus,
        [typeof(ReadSide.RebuildProjection)] = RebuildProjection,
        [typeof(ProjectionReply.Status)] = ProjectionStatus,
        [typeof(ProjectionReply.Failed)] = ProjectionFailed,
        [typeof(Domain.TransferDebited)] = TransferDebited,
        [typeof(Domain.TransferCredited)] = TransferCredited,
        [typeof(Domain.TransferRefunded)] = TransferRefunded,
        [typeof(Domain.TransferSettled)] = TransferSettled,
        [typeof(Domain.DebitForTransfer)] = DebitForTransfer,
        [typeof(Domain.CreditForTransfer)] = CreditForTransfer,
        [typeof(Domain.RefundTransfer)] = RefundTransfer,
        [typeof(Domain.SettleTransfer)] = SettleTransfer,
        [typeof(Domain.TransferRequested)] = TransferRequested,
        [typeof(Domain.TransferSourceDebited)] = TransferSourceDebited,
        [typeof(Domain.TransferCreditRefused)] = TransferCreditRefused,
        [typeof(Domain.TransferTargetCredited)] = TransferTargetCredited,
        [typeof(Domain.TransferCompleted)] = TransferCompleted,
        [typeof(Domain.TransferFailed)] = TransferFailed,
        [typeof(Domain.TransferState)] = TransferState,
        [typeof(Domain.RequestTransfer)] = RequestTransfer,
        [typeof(Transfers.GetTransfer)] = GetTransfer,
        [typeof(TransferReply.Accepted)] = TransferAccepted,
        [typeof(TransferReply.Rejected)] = TransferRejected,
        [typeof(TransferReply.Unavailable)] = TransferUnavailable,
    };

    /// <summary>The types whose subtypes go through <see cref="BankSerializer"/> (Akka binds by the most specific base).</summary>
    public static IReadOnlyList<Type> BoundTypes { get; } =
        [typeof(AccountEvent), typeof(AccountCommand), typeof(Domain.AccountState), typeof(Accounts.GetAccount), typeof(AccountReply),
         typeof(ProjectionRequest), typeof(ProjectionReply),
         typeof(TransferEvent), typeof(Domain.TransferState), typeof(Domain.RequestTransfer), typeof(Transfers.GetTransfer), typeof(TransferReply)];
}
