namespace Bank.Domain;

/// <summary>
/// One remembered accepted command: its id, the <see cref="CommandFingerprint"/> of its intent, and the
/// account's outcome right after its last event. Equality is by value (the fingerprint by its text).
/// </summary>
/// <remarks>
/// Most idle accounts remember just their open command, whose fingerprint ("open:EUR:0:Ada") would be a string of
/// its own per account. An open command in a well-known currency keeps only the owner (shared with the state) and
/// the currency's index, in what was padding, and derives the same text on each read (rare: a retried command, a
/// snapshot). The balance after an open command is its initial deposit, the only other part of that text.
/// </remarks>
public sealed record ProcessedCommand
{
    // The fingerprint; or, when _openCurrency > 0, the owner of an open command in currency At(_openCurrency - 1)
    // whose initial deposit is _balance.
    private readonly string _text;
    private readonly short _openCurrency;
    private readonly decimal _balance;

    public ProcessedCommand(Guid CommandId, string Fingerprint, long Version, decimal Balance, AccountStatus Status)
    {
        this.CommandId = CommandId;
        _text = Fingerprint;
        this.Version = Version;
        _balance = Balance;
        this.Status = Status;
    }

    private ProcessedCommand(Guid commandId, string owner, int currencyIndex, long version, decimal balance, AccountStatus status)
    {
        CommandId = commandId;
        _text = owner;
        _openCurrency = (short)(currencyIndex + 1);
        Version = version;
        _balance = balance;
        Status = status;
    }

    /// <summary>
    /// The entry of an open command: fingerprint <see cref="CommandFingerprint.Open"/>(<paramref name="owner"/>,
    /// <paramref name="currency"/>, <paramref name="initialDeposit"/>), derived when it can be.
    /// </summary>
    internal static ProcessedCommand ForOpen(
        Guid commandId, string owner, string currency, decimal initialDeposit, long version, decimal balance, AccountStatus status)
    {
        var currencyIndex = CurrencyCodes.IndexOf(currency);
        return currencyIndex >= 0 && initialDeposit == balance
            ? new ProcessedCommand(commandId, owner, currencyIndex, version, balance, status)
            : new ProcessedCommand(commandId, CommandFingerprint.Open(owner, currency, initialDeposit), version, balance, status);
    }

    public Guid CommandId { get; init; }

    public string Fingerprint
    {
        get => _openCurrency == 0 ? _text : CommandFingerprint.Open(_text, CurrencyCodes.At(_openCurrency - 1), _balance);
        init
        {
            _text = value;
            _openCurrency = 0;
        }
    }

    public long Version { get; init; }

    public decimal Balance
    {
        get => _balance;
        init
        {
            // A derived open fingerprint reads the balance: a copy with another balance keeps the text it had.
            if (_openCurrency != 0)
            {
                _text = Fingerprint;
                _openCurrency = 0;
            }
            _balance = value;
        }
    }

    public AccountStatus Status { get; init; }

    public bool Equals(ProcessedCommand? other) =>
        ReferenceEquals(this, other)
        || other is not null
           && CommandId == other.CommandId
           && Version == other.Version
           && _balance == other._balance
           && Status == other.Status
           && (_openCurrency == other._openCurrency && string.Equals(_text, other._text, StringComparison.Ordinal)
               || string.Equals(Fingerprint, other.Fingerprint, StringComparison.Ordinal));

    /// <summary>Consistent with <see cref="Equals(ProcessedCommand?)"/> without deriving a fingerprint.</summary>
    public override int GetHashCode() => HashCode.Combine(CommandId, Version, _balance, Status);

    public void Deconstruct(out Guid CommandId, out string Fingerprint, out long Version, out decimal Balance, out AccountStatus Status)
    {
        CommandId = this.CommandId;
        Fingerprint = this.Fingerprint;
        Version = this.Version;
        Balance = _balance;
        Status = this.Status;
    }
}
