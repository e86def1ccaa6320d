using System.Data.Common;
using System.Globalization;
using Actors.Core.Logging;
using Actors.Persistence.Query;
using Actors.Persistence.Query.Projections;
using Bank.Domain;

namespace Bank.ReadModels;

/// <summary>
/// Keeps account_summary, account_transaction and bank_totals (one row per currency). The projection already applies
/// each event exactly once (the offset commits with the changes); as a second safety net every event is idempotent on
/// its own: it applies only on top of the version before it (account_id + version), and a transaction row is inserted
/// with ON CONFLICT (account_id, version) DO NOTHING. The totals move only with events that applied, in the account's
/// currency. An event that skips a version fails the batch loudly: the read model would be wrong otherwise.
/// </summary>
public sealed class BankAccountsHandler : IProjectionHandler
{
    private readonly BankSql _sql;
    private readonly string _projectionName;
    private readonly ILogSink? _log;

    /// <param name="projectionName">The projection this handler belongs to: its stored offset goes back to 0 when the schema is rebuilt.</param>
    public BankAccountsHandler(ProjectionDatabase database, string projectionName = BankReadModel.ProjectionName, ILogSink? log = null)
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
            if (reset == 1 && _log is { } log && log.IsEnabled(ActorLogLevel.Warning))
            {
                log.Log(ActorLogLevel.Warning, "projection/" + _projectionName,
                    $"The read model's tables were of schema version {version?.ToString(CultureInfo.InvariantCulture) ?? "1"}, not {BankSql.SchemaVersion}: " +
                    "they were dropped and are rebuilt from offset 0.", null);
            }
        }
        foreach (var statement in _sql.Schema) await session.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
    }

    public async Task ResetAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        foreach (var statement in _sql.Reset) await session.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
    }

    public async Task HandleAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(events);
        var totals = new BatchTotals(await ReadTotalsAsync(session, _sql, cancellationToken).ConfigureAwait(false));

        var commands = new Commands(session, _sql);
        await using (commands.ConfigureAwait(false))
        {
            foreach (var envelope in events)
            {
                if (envelope.Event is not AccountEvent @event) continue; // not ours: only the offset moves
                await ApplyAsync(commands, envelope, @event, totals, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var row in totals.Changed)
        {
            await session.ExecuteAsync(_sql.WriteTotals, cancellationToken,
                ("currency", row.Currency), ("accounts_open", row.AccountsOpen), ("accounts_closed", row.AccountsClosed),
                ("total_balance", row.TotalBalance), ("total_deposited", row.TotalDeposited), ("total_withdrawn", row.TotalWithdrawn)).ConfigureAwait(false);
        }
    }

    internal static async Task<BankTotals> ReadTotalsAsync(ProjectionSession session, BankSql sql, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(sql.ReadTotals, r => new CurrencyTotals(
            r.GetString(0), r.GetInt64(1), r.GetInt64(2), session.GetDecimal(r, 3), session.GetDecimal(r, 4), session.GetDecimal(r, 5)),
            cancellationToken).ConfigureAwait(false);
        return new BankTotals(rows);
    }

    private async Task ApplyAsync(Commands commands, EventEnvelope envelope, AccountEvent @event, BatchTotals totals, CancellationToken cancellationToken)
    {
        var version = envelope.SequenceNr;
        switch (@event)
        {
            case AccountOpened opened:
                if (await commands.ExecuteAsync(commands.Opened, cancellationToken,
                        ("account_id", opened.AccountId), ("owner", opened.Owner), ("currency", opened.Currency), ("zero", 0m),
                        ("version", version), ("at", opened.At)).ConfigureAwait(false) == 1)
                {
                    commands.Currencies[opened.AccountId] = opened.Currency;
                    totals.Change(opened.Currency, t => t with { AccountsOpen = t.AccountsOpen + 1 });
                    return;
                }
                await EnsureSeenAsync(commands, envelope, @event, cancellationToken).ConfigureAwait(false);
                return;

            case MoneyDeposited deposited:
                if (await ApplyMoneyAsync(commands, envelope, TransactionKind.Deposit, deposited.Amount, deposited.BalanceAfter, deposited.At, cancellationToken).ConfigureAwait(false) is { } depositCurrency)
                {
                    totals.Change(depositCurrency, t => t with { TotalBalance = t.TotalBalance + deposited.Amount, TotalDeposited = t.TotalDeposited + deposited.Amount });
                }
                return;

            case MoneyWithdrawn withdrawn:
                if (await ApplyMoneyAsync(commands, envelope, TransactionKind.Withdrawal, withdrawn.Amount, withdrawn.BalanceAfter, withdrawn.At, cancellationToken).ConfigureAwait(false) is { } withdrawalCurrency)
                {
                    totals.Change(withdrawalCurrency, t => t with { TotalBalance = t.TotalBalance - withdrawn.Amount, TotalWithdrawn = t.TotalWithdrawn + withdrawn.Amount });
                }
                return;

            case AccountClosed closed:
                if (await commands.StringAsync(commands.Closed, cancellationToken,
                        ("account_id", closed.AccountId), ("version", version), ("at", closed.At)).ConfigureAwait(false) is { } closedCurrency)
                {
                    totals.Change(closedCurrency, t => t with { AccountsOpen = t.AccountsOpen - 1, AccountsClosed = t.AccountsClosed + 1 });
                    return;
                }
                await EnsureSeenAsync(commands, envelope, @event, cancellationToken).ConfigureAwait(false);
                return;

            default:
                throw new InvalidOperationException($"Unknown account event {@event.GetType().Name} at offset {envelope.Offset}.");
        }
    }

    /// <returns>The account's currency when the event applied; null when it had been applied before.</returns>
    private async Task<string?> ApplyMoneyAsync(Commands commands, EventEnvelope envelope, TransactionKind kind, decimal amount, decimal balanceAfter,
        DateTimeOffset at, CancellationToken cancellationToken)
    {
        var accountId = ((AccountEvent)envelope.Event).AccountId;
        var inserted = await commands.ExecuteAsync(commands.Transaction, cancellationToken,
            ("account_id", accountId), ("version", envelope.SequenceNr), ("kind", kind == TransactionKind.Deposit ? "deposit" : "withdrawal"),
            ("amount", amount), ("balance_after", balanceAfter), ("at", at), ("offset", envelope.Offset)).ConfigureAwait(false);
        if (inserted == 0) return null; // (account_id, version) is there already
        var currency = await commands.StringAsync(commands.Balance, cancellationToken,
            ("account_id", accountId), ("version", envelope.SequenceNr), ("balance_after", balanceAfter), ("at", at)).ConfigureAwait(false);
        if (currency is not null) return currency;
        await EnsureSeenAsync(commands, envelope, (AccountEvent)envelope.Event, cancellationToken).ConfigureAwait(false);
        return await CurrencyOfAsync(commands, envelope, accountId, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> CurrencyOfAsync(Commands commands, EventEnvelope envelope, string accountId, CancellationToken cancellationToken)
    {
        if (commands.Currencies.TryGetValue(accountId, out var known)) return known;
        var currency = await commands.StringAsync(commands.Currency, cancellationToken, ("account_id", accountId)).ConfigureAwait(false)
            ?? throw new InvalidOperationException(
                $"{envelope.Event.GetType().Name} of account '{accountId}' at offset {envelope.Offset}: the read model has no such account.");
        commands.Currencies[accountId] = currency;
        return currency;
    }

    /// <summary>The event did not apply to the summary: fine if the summary is at its version or past it; a gap is an error.</summary>
    private async Task EnsureSeenAsync(Commands commands, EventEnvelope envelope, AccountEvent @event, CancellationToken cancellationToken)
    {
        var current = await commands.ScalarAsync(commands.Version, cancellationToken, ("account_id", @event.AccountId)).ConfigureAwait(false);
        var version = current is null ? 0 : Convert.ToInt64(current, CultureInfo.InvariantCulture);
        if (version >= envelope.SequenceNr) return;
        throw new InvalidOperationException(
            $"{@event.GetType().Name} of account '{@event.AccountId}' at version {envelope.SequenceNr} (offset {envelope.Offset}) does not follow " +
            $"the read model's version {version}: an event is missing from the stream.");
    }

    /// <summary>The batch's totals, by currency, and which of them changed.</summary>
    private sealed class BatchTotals(BankTotals stored)
    {
        private readonly Dictionary<string, CurrencyTotals> _rows = stored.Currencies.ToDictionary(c => c.Currency, StringComparer.Ordinal);
        private readonly HashSet<string> _changed = new(StringComparer.Ordinal);

        public IEnumerable<CurrencyTotals> Changed => _changed.Order(StringComparer.Ordinal).Select(c => _rows[c]);

        public void Change(string currency, Func<CurrencyTotals, CurrencyTotals> change)
        {
            _rows[currency] = change(_rows.GetValueOrDefault(currency) ?? CurrencyTotals.Zero(currency));
            _changed.Add(currency);
        }
    }

    /// <summary>The batch's statements, created once per batch and reused for every event.</summary>
    private sealed class Commands(ProjectionSession session, BankSql sql) : IAsyncDisposable
    {
        private readonly List<DbCommand> _created = [];

        public DbCommand Opened => field ??= Create(sql.InsertOpened);
        public DbCommand Transaction => field ??= Create(sql.InsertTransaction);
        public DbCommand Balance => field ??= Create(sql.UpdateBalance);
        public DbCommand Closed => field ??= Create(sql.UpdateClosed);
        public DbCommand Version => field ??= Create(sql.SummaryVersion);
        public DbCommand Currency => field ??= Create(sql.SummaryCurrency);

        /// <summary>The currencies of the batch's accounts, as far as looked up.</summary>
        public Dictionary<string, string> Currencies { get; } = new(StringComparer.Ordinal);

        public async Task<int> ExecuteAsync(DbCommand command, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        {
            foreach (var (name, value) in parameters) session.AddParameter(command, name, value);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        public async Task<object?> ScalarAsync(DbCommand command, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        {
            foreach (var (name, value) in parameters) session.AddParameter(command, name, value);
            var value1 = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value1 is DBNull ? null : value1;
        }

        /// <summary>The first column of the first row as text; null when there is no row.</summary>
        public async Task<string?> StringAsync(DbCommand command, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
            (string?)await ScalarAsync(command, cancellationToken, parameters).ConfigureAwait(false);

        private DbCommand Create(string text)
        {
            var command = session.CreateCommand(text);
            _created.Add(command);
            return command;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in _created) await command.DisposeAsync().ConfigureAwait(false);
        }
    }
}
