using System.Globalization;
using System.Text.Json;
using Akka.Event;
using Akka.Persistence.Query;
using Bank.Domain;
using Bank.ReadModels.Projections;

namespace Bank.ReadModels;

/// <summary>
/// Keeps account_summary, account_transaction, bank_totals (one row per currency) and bank_transfer (one row per
/// transfer that moved money; transfers move balances between accounts but never the totals' money, which the money in
/// flight, debited but not yet credited or refunded, completes). The projection already applies
/// each event exactly once (the offset commits with the changes); as a second safety net every event is idempotent on
/// its own: it applies only on top of the version before it (account_id + version), and a transaction row is inserted
/// with ON CONFLICT (account_id, version) DO NOTHING. The totals move only with events that applied, in the account's
/// currency. An event that skips a version fails the batch loudly: the read model would be wrong otherwise.
/// </summary>
public sealed class BankAccountsHandler : IProjectionHandler
{
    private readonly BankSql _sql;
    private readonly string _projectionName;
    private readonly ILoggingAdapter? _log;

    // The summaries AppliedSequenceNrsAsync read, kept for HandleAsync in the same transaction: the projection asks for
    // the versions and then applies the same batch, and reading the same rows twice was a tenth of its statements' time.
    // Only the projection's writer stage calls the handler, one transaction at a time.
    private LoadedSummaries? _loaded;

    /// <param name="projectionName">The projection this handler belongs to: its stored offset goes back to 0 when the schema is rebuilt.</param>
    public BankAccountsHandler(ProjectionDatabase database, string projectionName = BankReadModel.ProjectionName, ILoggingAdapter? log = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrEmpty(projectionName);
        _sql = new BankSql(database);
        _projectionName = projectionName;
        _log = log;
    }

    /// <summary>
    /// Creates the tables if missing. A database whose read model has another shape (the version row differs or is
    /// missing: version 1 had no version table) gets its read-model tables dropped and recreated, and the projection's
    /// offset set back to 0, so that it rebuilds from the journal. This runs in the projection's schema transaction,
    /// after its offset row exists and before the offset is read, so the rebuild starts at once and is all or nothing.
    /// </summary>
    public async Task InitializeAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        await session.ExecuteAsync(_sql.CreateVersion, cancellationToken).ConfigureAwait(false);
        var stored = await session.ScalarAsync(_sql.ReadVersion, cancellationToken).ConfigureAwait(false);
        var version = stored is null ? (long?)null : Convert.ToInt64(stored, CultureInfo.InvariantCulture);
        if (version != BankSql.SchemaVersion)
        {
            foreach (var statement in _sql.Drop) await session.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
            var reset = await session.ExecuteAsync(_sql.ResetOffset, cancellationToken, ("name", _projectionName)).ConfigureAwait(false);
            await session.ExecuteAsync(_sql.WriteVersion, cancellationToken, ("version", BankSql.SchemaVersion)).ConfigureAwait(false);
            if (reset == 1 && _log is { IsWarningEnabled: true } log)
            {
                log.Warning("The read model of projection {0} had tables of schema version {1}, not {2}: they were dropped and are rebuilt from offset 0.",
                    _projectionName, version?.ToString(CultureInfo.InvariantCulture) ?? "1", BankSql.SchemaVersion);
            }
        }
        foreach (var statement in _sql.Schema) await session.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
    }

    public async Task ResetAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        foreach (var statement in _sql.Reset) await session.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies the batch in memory first, then writes it: the summaries of the batch's accounts are read in one query,
    /// every event is checked and applied to them in order (as one at a time would), and the result goes out as one
    /// write per account the batch changed (not one per event), the history rows (one prepared single-row INSERT each on
    /// SQLite, 64-row INSERTs on PostgreSQL) and one write per currency whose totals moved. Statements are prepared once
    /// per batch and bound by position (<see cref="ProjectionStatement"/>).
    /// </summary>
    public async Task HandleAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(events);
        var accounts = TakeLoaded(session, events) ?? await LoadAccountsAsync(session, IdsOf(events), cancellationToken).ConfigureAwait(false);
        if (accounts is null) return; // nothing of ours: only the offset moves
        var totals = new BatchTotals(await ReadTotalsAsync(session, _sql, cancellationToken).ConfigureAwait(false));
        // The positions in the batch of the deposits and withdrawals that applied (ints: a list of rows would be a
        // large-object-heap allocation per batch, and those bring gen2 collections).
        var history = new List<int>(Math.Min(events.Count, 4096));

        for (var i = 0; i < events.Count; i++)
        {
            var envelope = events[i];
            if (envelope.Event is AccountEvent @event && Apply(accounts, envelope, @event, totals)) history.Add(i);
        }

        await WriteHistoryAsync(session, events, history, cancellationToken).ConfigureAwait(false);
        await WriteTransfersAsync(session, events, history, accounts, cancellationToken).ConfigureAwait(false);
        await WriteSummariesAsync(session, accounts, cancellationToken).ConfigureAwait(false);
        foreach (var row in totals.Changed)
        {
            await session.ExecuteAsync(_sql.WriteTotals, cancellationToken,
                ("currency", row.Currency), ("accounts_open", row.AccountsOpen), ("accounts_closed", row.AccountsClosed),
                ("total_balance", row.TotalBalance), ("total_deposited", row.TotalDeposited), ("total_withdrawn", row.TotalWithdrawn),
                ("money_in_flight", row.MoneyInFlight)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The version of each account of the batch, by its persistence id: the account's summary version is the sequence
    /// number of its last applied event, so an event that skips versions reveals events the stream skipped.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>?> AppliedSequenceNrsAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(events);
        _loaded = null;
        var ids = IdsOf(events);
        var accounts = await LoadAccountsAsync(session, ids, cancellationToken).ConfigureAwait(false);
        var applied = new Dictionary<string, long>(StringComparer.Ordinal);
        if (accounts is null) return applied;
        _loaded = new LoadedSummaries(session, ids, accounts);
        foreach (var envelope in events)
        {
            if (envelope.Event is AccountEvent @event && accounts.TryGetValue(@event.AccountId, out var account))
                applied[envelope.PersistenceId] = account.Version;
        }
        return applied;
    }

    internal static async Task<BankTotals> ReadTotalsAsync(ProjectionSession session, BankSql sql, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(sql.ReadTotals, r => new CurrencyTotals(
                r.GetString(0), r.GetInt64(1), r.GetInt64(2), session.GetDecimal(r, 3), session.GetDecimal(r, 4), session.GetDecimal(r, 5))
            { MoneyInFlight = session.GetDecimal(r, 6) },
            cancellationToken).ConfigureAwait(false);
        return new BankTotals(rows);
    }

    /// <summary>
    /// The summaries AppliedSequenceNrsAsync read in this transaction, if they cover every account of
    /// <paramref name="events"/> (the batch may have grown by events fetched to fill holes); null otherwise. Used once:
    /// HandleAsync changes the rows it gets.
    /// </summary>
    private Dictionary<string, AccountRow>? TakeLoaded(ProjectionSession session, IReadOnlyList<EventEnvelope> events)
    {
        var loaded = _loaded;
        _loaded = null;
        if (loaded is null || !ReferenceEquals(loaded.Session, session)) return null;
        foreach (var envelope in events)
        {
            if (envelope.Event is AccountEvent @event && !loaded.Ids.Contains(@event.AccountId)) return null;
        }
        return loaded.Accounts;
    }

    private static HashSet<string> IdsOf(IReadOnlyList<EventEnvelope> events)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var envelope in events)
        {
            if (envelope.Event is AccountEvent @event) ids.Add(@event.AccountId);
        }
        return ids;
    }

    /// <summary>The stored summaries of accounts <paramref name="ids"/> (those it has none of are missing); null when there is no id.</summary>
    private async Task<Dictionary<string, AccountRow>?> LoadAccountsAsync(ProjectionSession session, HashSet<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return null;
        object parameter = session.Dialect == SqlDialect.Sqlite ? JsonSerializer.Serialize(ids) : ids.ToArray();
        var rows = await session.QueryAsync(_sql.LoadSummaries, r => new AccountRow(
                r.GetString(0), r.GetString(1), r.GetString(2), session.GetDecimal(r, 3), r.GetString(4) == "closed", r.GetInt64(5),
                r.GetInt64(6), r.GetInt64(7), isNew: false),
            cancellationToken, ("ids", parameter)).ConfigureAwait(false);
        var accounts = new Dictionary<string, AccountRow>(ids.Count, StringComparer.Ordinal);
        foreach (var row in rows) accounts[row.AccountId] = row;
        return accounts;
    }

    /// <summary>
    /// One event on top of the batch's state so far. An event applies only on top of the version before it; one at or
    /// below the account's version was applied before and changes nothing; one that skips a version fails the batch.
    /// </summary>
    /// <returns>True when the event applied and moved money (it needs a transaction row).</returns>
    private static bool Apply(Dictionary<string, AccountRow> accounts, EventEnvelope envelope, AccountEvent @event, BatchTotals totals)
    {
        var version = envelope.SequenceNr;
        accounts.TryGetValue(@event.AccountId, out var account);
        switch (@event)
        {
            case AccountOpened opened:
                if (account is null)
                {
                    var at = opened.At.ToUnixTimeMilliseconds();
                    accounts[opened.AccountId] = new AccountRow(opened.AccountId, opened.Owner, opened.Currency, 0m, closed: false, version, at, at,
                        isNew: true);
                    totals.Get(opened.Currency).AccountsOpen++;
                    return false;
                }
                EnsureSeen(account.Version, envelope, @event);
                return false;

            case MoneyDeposited deposited:
                if (!IsNext(account, envelope, @event)) return false;
                account!.Move(version, deposited.BalanceAfter, deposited.At);
                var depositTotals = totals.Get(account.Currency);
                depositTotals.TotalBalance += deposited.Amount;
                depositTotals.TotalDeposited += deposited.Amount;
                return true;

            case MoneyWithdrawn withdrawn:
                if (!IsNext(account, envelope, @event)) return false;
                account!.Move(version, withdrawn.BalanceAfter, withdrawn.At);
                var withdrawalTotals = totals.Get(account.Currency);
                withdrawalTotals.TotalBalance -= withdrawn.Amount;
                withdrawalTotals.TotalWithdrawn += withdrawn.Amount;
                return true;

            case TransferDebited debited:
                if (!IsNext(account, envelope, @event)) return false;
                account!.Move(version, debited.BalanceAfter, debited.At);
                var debitTotals = totals.Get(account.Currency);
                debitTotals.TotalBalance -= debited.Amount;
                debitTotals.MoneyInFlight += debited.Amount;
                return true;

            case TransferCredited credited:
                if (!IsNext(account, envelope, @event)) return false;
                account!.Move(version, credited.BalanceAfter, credited.At);
                var creditTotals = totals.Get(account.Currency);
                creditTotals.TotalBalance += credited.Amount;
                creditTotals.MoneyInFlight -= credited.Amount;
                return true;

            case TransferRefunded refunded:
                if (!IsNext(account, envelope, @event)) return false;
                account!.Move(version, refunded.BalanceAfter, refunded.At);
                var refundTotals = totals.Get(account.Currency);
                refundTotals.TotalBalance += refunded.Amount;
                refundTotals.MoneyInFlight -= refunded.Amount;
                return true;

            // The source learnt that its transfer's target took the money: a version of the account, but no money moves
            // (the credit already took it out of flight), so no history row, and bank_transfer already says completed.
            case TransferSettled settled:
                if (!IsNext(account, envelope, @event)) return false;
                account!.Move(version, account.Balance, settled.At);
                return false;

            case AccountClosed closed:
                if (!IsNext(account, envelope, @event)) return false;
                account!.Move(version, account.Balance, closed.At);
                account.Closed = true;
                var closedTotals = totals.Get(account.Currency);
                closedTotals.AccountsOpen--;
                closedTotals.AccountsClosed++;
                return false;

            default:
                throw new InvalidOperationException($"Unknown account event {@event.GetType().Name} at offset {ProjectionSource.OrderingOf(envelope)}.");
        }
    }

    /// <summary>True when the event is the account's next version; false when it was applied before; throws on a gap.</summary>
    private static bool IsNext(AccountRow? account, EventEnvelope envelope, AccountEvent @event)
    {
        var current = account?.Version ?? 0;
        if (account is not null && envelope.SequenceNr == current + 1) return true;
        EnsureSeen(current, envelope, @event);
        return false;
    }

    /// <summary>The event did not apply to the summary: fine if the summary is at its version or past it; a gap is an error.</summary>
    private static void EnsureSeen(long current, EventEnvelope envelope, AccountEvent @event)
    {
        if (current >= envelope.SequenceNr) return;
        throw new InvalidOperationException(
            $"{@event.GetType().Name} of account '{@event.AccountId}' at version {envelope.SequenceNr} (offset {ProjectionSource.OrderingOf(envelope)}) does not follow " +
            $"the read model's version {current}: an event is missing from the stream.");
    }

    /// <summary>The batch's transaction rows, in offset order: full chunks in one multi-row INSERT each, the rest one by one.</summary>
    private async Task WriteHistoryAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events, List<int> history,
        CancellationToken cancellationToken)
    {
        if (history.Count == 0) return;
        var chunks = _sql.HistoryChunk > 1 ? history.Count / _sql.HistoryChunk : 0;
        if (chunks > 0)
        {
            var statement = session.Prepare(_sql.InsertHistoryChunk);
            await using (statement.ConfigureAwait(false))
            {
                for (var c = 0; c < chunks; c++)
                {
                    for (var r = 0; r < _sql.HistoryChunk; r++) BindHistory(statement, r * BankSql.HistoryColumns, events[history[c * _sql.HistoryChunk + r]]);
                    await statement.ExecuteAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        var rest = chunks * _sql.HistoryChunk;
        if (rest == history.Count) return;
        var single = session.Prepare(_sql.InsertHistoryRow);
        await using (single.ConfigureAwait(false))
        {
            for (var i = rest; i < history.Count; i++)
            {
                BindHistory(single, 0, events[history[i]]);
                await single.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The transaction row of a deposit, withdrawal or transfer step, as parameters first + 1 .. first + 9.</summary>
    private static void BindHistory(ProjectionStatement statement, int first, EventEnvelope envelope)
    {
        var (accountId, kind, amount, balanceAfter, at, transferId, counterparty) = envelope.Event switch
        {
            MoneyDeposited d => (d.AccountId, "deposit", d.Amount, d.BalanceAfter, d.At, (Guid?)null, (string?)null),
            MoneyWithdrawn w => (w.AccountId, "withdrawal", w.Amount, w.BalanceAfter, w.At, null, null),
            TransferDebited t => (t.AccountId, "transfer-out", t.Amount, t.BalanceAfter, t.At, t.TransferId, t.CounterpartyId),
            TransferCredited t => (t.AccountId, "transfer-in", t.Amount, t.BalanceAfter, t.At, t.TransferId, t.CounterpartyId),
            TransferRefunded t => (t.AccountId, "transfer-refund", t.Amount, t.BalanceAfter, t.At, t.TransferId, t.CounterpartyId),
            var other => throw new InvalidOperationException($"{other.GetType().Name} has no transaction row."),
        };
        statement.Bind(first + 1, accountId);
        statement.Bind(first + 2, envelope.SequenceNr);
        statement.Bind(first + 3, kind);
        statement.Bind(first + 4, amount);
        statement.Bind(first + 5, balanceAfter);
        statement.Bind(first + 6, at);
        statement.Bind(first + 7, ProjectionSource.OrderingOf(envelope));
        statement.BindOrNull(first + 8, transferId?.ToString("D"));
        statement.BindOrNull(first + 9, counterparty);
    }

    /// <summary>The bank_transfer row of each transfer step of the batch that applied, in offset order.</summary>
    private async Task WriteTransfersAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events, List<int> history,
        Dictionary<string, AccountRow> accounts, CancellationToken cancellationToken)
    {
        ProjectionStatement? upsert = null;
        try
        {
            foreach (var i in history)
            {
                var envelope = events[i];
                var (transferId, from, to, accountId, amount, status, at) = envelope.Event switch
                {
                    TransferDebited t => (t.TransferId, t.AccountId, t.CounterpartyId, t.AccountId, t.Amount, "pending", t.At),
                    TransferCredited t => (t.TransferId, t.CounterpartyId, t.AccountId, t.AccountId, t.Amount, "completed", t.At),
                    TransferRefunded t => (t.TransferId, t.AccountId, t.CounterpartyId, t.AccountId, t.Amount, "failed", t.At),
                    _ => (Guid.Empty, "", "", "", 0m, "", default(DateTimeOffset)),
                };
                if (transferId == Guid.Empty) continue;
                upsert ??= session.Prepare(_sql.UpsertTransfer);
                upsert.Bind(1, transferId.ToString("D"));
                upsert.Bind(2, from);
                upsert.Bind(3, to);
                upsert.Bind(4, accounts[accountId].Currency);
                upsert.Bind(5, amount);
                upsert.Bind(6, status);
                upsert.Bind(7, at);
                if (status == "pending") upsert.BindNull(8);
                else upsert.Bind(8, at);
                upsert.Bind(9, ProjectionSource.OrderingOf(envelope));
                await upsert.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (upsert is not null) await upsert.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One write per account the batch changed: an INSERT for a new one, an UPDATE guarded by the version read.</summary>
    private async Task WriteSummariesAsync(ProjectionSession session, Dictionary<string, AccountRow> accounts, CancellationToken cancellationToken)
    {
        ProjectionStatement? insert = null;
        ProjectionStatement? update = null;
        try
        {
            foreach (var account in accounts.Values)
            {
                if (account.IsNew)
                {
                    insert ??= session.Prepare(_sql.InsertSummary);
                    insert.Bind(1, account.AccountId);
                    insert.Bind(2, account.Owner);
                    insert.Bind(3, account.Currency);
                    insert.Bind(4, account.Balance);
                    insert.Bind(5, account.Closed ? "closed" : "open");
                    insert.Bind(6, account.Version);
                    insert.Bind(7, account.OpenedAt);
                    insert.Bind(8, account.LastActivityAt);
                    await insert.ExecuteAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (account.Version == account.StoredVersion) continue;
                update ??= session.Prepare(_sql.UpdateSummary);
                update.Bind(1, account.AccountId);
                update.Bind(2, account.Balance);
                update.Bind(3, account.Closed ? "closed" : "open");
                update.Bind(4, account.Version);
                update.Bind(5, account.LastActivityAt);
                update.Bind(6, account.StoredVersion);
                if (await update.ExecuteAsync(cancellationToken).ConfigureAwait(false) != 1)
                {
                    throw new InvalidOperationException(
                        $"The summary of account '{account.AccountId}' is no longer at version {account.StoredVersion}: something else wrote the read model.");
                }
            }
        }
        finally
        {
            if (insert is not null) await insert.DisposeAsync().ConfigureAwait(false);
            if (update is not null) await update.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Summaries read in one transaction, and which account ids were asked for (found or not).</summary>
    private sealed record LoadedSummaries(ProjectionSession Session, HashSet<string> Ids, Dictionary<string, AccountRow> Accounts);

    /// <summary>An account's summary as the batch goes: as stored (or new in this batch), then with the batch's events.</summary>
    private sealed class AccountRow(
        string accountId, string owner, string currency, decimal balance, bool closed, long version, long openedAt, long lastActivityAt, bool isNew)
    {
        public string AccountId { get; } = accountId;
        public string Owner { get; } = owner;
        public string Currency { get; } = currency;
        public decimal Balance { get; private set; } = balance;
        public bool Closed { get; set; } = closed;
        public long Version { get; private set; } = version;
        public long OpenedAt { get; } = openedAt;
        public long LastActivityAt { get; private set; } = lastActivityAt;
        public bool IsNew { get; } = isNew;

        /// <summary>The version in the table (what the UPDATE is guarded by).</summary>
        public long StoredVersion { get; } = isNew ? 0 : version;

        public void Move(long version, decimal balance, DateTimeOffset at)
        {
            Version = version;
            Balance = balance;
            LastActivityAt = at.ToUnixTimeMilliseconds();
        }
    }

    /// <summary>The batch's totals, by currency, and which of them changed.</summary>
    private sealed class BatchTotals(BankTotals stored)
    {
        private readonly Dictionary<string, MutableTotals> _rows =
            stored.Currencies.ToDictionary(c => c.Currency, c => new MutableTotals(c), StringComparer.Ordinal);
        private readonly HashSet<string> _changed = new(StringComparer.Ordinal);

        public IEnumerable<CurrencyTotals> Changed => _changed.Order(StringComparer.Ordinal).Select(c => _rows[c].ToTotals());

        /// <summary>The currency's totals, to change (marked changed).</summary>
        public MutableTotals Get(string currency)
        {
            if (!_rows.TryGetValue(currency, out var row)) _rows[currency] = row = new MutableTotals(CurrencyTotals.Zero(currency));
            _changed.Add(currency);
            return row;
        }
    }

    private sealed class MutableTotals(CurrencyTotals stored)
    {
        public long AccountsOpen = stored.AccountsOpen;
        public long AccountsClosed = stored.AccountsClosed;
        public decimal TotalBalance = stored.TotalBalance;
        public decimal TotalDeposited = stored.TotalDeposited;
        public decimal TotalWithdrawn = stored.TotalWithdrawn;
        public decimal MoneyInFlight = stored.MoneyInFlight;

        public CurrencyTotals ToTotals() =>
            new(stored.Currency, AccountsOpen, AccountsClosed, TotalBalance, TotalDeposited, TotalWithdrawn) { MoneyInFlight = MoneyInFlight };
    }
}
