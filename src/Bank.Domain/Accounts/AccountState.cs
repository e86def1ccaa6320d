namespace Bank.Domain;

public enum AccountStatus
{
    NotOpened,
    Open,
    Closed,
}

/// <summary>
/// The write-side state of one account, built only by <see cref="AccountDecider.Evolve"/> from events (or restored
/// from a snapshot of itself). <see cref="Version"/> is the number of events applied. <see cref="Owner"/>,
/// <see cref="Currency"/>, <see cref="OpenedAt"/> and <see cref="LastActivityAt"/> are null until the account is opened.
/// Equality is by value, including the idempotency window.
/// </summary>
/// <remarks>
/// Every recovered account keeps one of these, so it is stored compactly. The two times: a DateTimeOffset? field takes
/// 24 bytes, its clock ticks and offset minutes 10 (the object shrinks from 128 to 96 bytes). The idempotency window
/// of an idle account usually holds one entry (its open command) under the default capacity: the state keeps just
/// that entry and <see cref="ProcessedCommands"/> rebuilds an equal window on each read (rare for an idle account:
/// the next command, a snapshot). The properties, the constructor and equality (times compared as instants, as
/// DateTimeOffset does) are those of the plain record.
/// </remarks>
public sealed record AccountState(
    string AccountId,
    string? Owner,
    string? Currency,
    decimal Balance,
    AccountStatus Status,
    long Version,
    DateTimeOffset? OpenedAt,
    DateTimeOffset? LastActivityAt,
    IdempotencyWindow ProcessedCommands)
{
    /// <summary>Offset minutes of a time that is null (a real offset is within ±14 hours).</summary>
    private const short NoTime = short.MinValue;

    private readonly long _openedTicks = TicksOf(OpenedAt);
    private readonly long _lastActivityTicks = TicksOf(LastActivityAt);
    private readonly short _openedOffset = OffsetOf(OpenedAt);
    private readonly short _lastActivityOffset = OffsetOf(LastActivityAt);

    /// <summary>The idempotency window, or its only entry when <see cref="IdempotencyWindow.OfOnly"/> rebuilds it.</summary>
    private readonly object _processedCommands = Compact(ProcessedCommands);

    public IdempotencyWindow ProcessedCommands
    {
        get => _processedCommands as IdempotencyWindow
               ?? (_processedCommands is ProcessedCommand only ? IdempotencyWindow.OfOnly(only) : null!);
        init => _processedCommands = Compact(value);
    }

    public DateTimeOffset? OpenedAt
    {
        get => TimeOf(_openedTicks, _openedOffset);
        init
        {
            _openedTicks = TicksOf(value);
            _openedOffset = OffsetOf(value);
        }
    }

    public DateTimeOffset? LastActivityAt
    {
        get => TimeOf(_lastActivityTicks, _lastActivityOffset);
        init
        {
            _lastActivityTicks = TicksOf(value);
            _lastActivityOffset = OffsetOf(value);
        }
    }

    public bool Equals(AccountState? other) =>
        ReferenceEquals(this, other)
        || other is not null
           && string.Equals(AccountId, other.AccountId, StringComparison.Ordinal)
           && string.Equals(Owner, other.Owner, StringComparison.Ordinal)
           && string.Equals(Currency, other.Currency, StringComparison.Ordinal)
           && Balance == other.Balance
           && Status == other.Status
           && Version == other.Version
           && Nullable.Equals(OpenedAt, other.OpenedAt)
           && Nullable.Equals(LastActivityAt, other.LastActivityAt)
           && (_processedCommands is ProcessedCommand only && other._processedCommands is ProcessedCommand otherOnly
               ? only.Equals(otherOnly)
               : EqualityComparer<IdempotencyWindow>.Default.Equals(ProcessedCommands, other.ProcessedCommands));

    public override int GetHashCode() =>
        HashCode.Combine(AccountId, Owner, Currency, Balance, Status, Version, OpenedAt, HashCode.Combine(LastActivityAt, ProcessedCommands));

    private static object Compact(IdempotencyWindow? window) => (object?)window?.OnlyEntryAtDefaultCapacity ?? window!;

    private static long TicksOf(DateTimeOffset? time) => time?.Ticks ?? 0;

    private static short OffsetOf(DateTimeOffset? time) => time is { } t ? (short)(t.Offset.Ticks / TimeSpan.TicksPerMinute) : NoTime;

    private static DateTimeOffset? TimeOf(long ticks, short offsetMinutes) =>
        offsetMinutes == NoTime ? null : new DateTimeOffset(ticks, TimeSpan.FromMinutes(offsetMinutes));

    /// <summary>
    /// The state of an account before any event. The account id is not validated here (Decide refuses an
    /// OpenAccount with an invalid id), so an actor can be started for any id it is asked about.
    /// </summary>
    public static AccountState Initial(string accountId, int idempotencyWindow = IdempotencyWindow.DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        return new AccountState(
            accountId,
            Owner: null,
            Currency: null,
            Balance: 0m,
            AccountStatus.NotOpened,
            Version: 0,
            OpenedAt: null,
            LastActivityAt: null,
            IdempotencyWindow.Empty(idempotencyWindow));
    }
}
