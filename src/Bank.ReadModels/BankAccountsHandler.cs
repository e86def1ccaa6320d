using System.Data.Common;
using Actors.Persistence.Query;
using Actors.Persistence.Query.Projections;
using Bank.Domain;

namespace Bank.ReadModels;

/// <summary>
/// Keeps account_summary, account_transaction and bank_totals. The projection already applies each event exactly
/// once (the offset commits with the changes); as a second safety net every event is idempotent on its own: it
/// applies only on top of the version before it (account_id + version), and a transaction row is inserted with
/// ON CONFLICT (account_id, version) DO NOTHING. The totals move only with events that applied.
/// An event that skips a version fails the batch loudly: the read model would be wrong otherwise.
/// </summary>
public sealed class BankAccountsHandler : IProjectionHandler
{
    private readonly BankSql _sql;

    public BankAccountsHandler(ProjectionDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _sql = new BankSql(database);
    }

    public async Task InitializeAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        foreach (var statement in _sql.Schema)
            await session.ExecuteAsync(statement, cancellationToken, ("zero", 0m)).ConfigureAwait(false);
    }

    public async Task ResetAsync(ProjectionSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        foreach (var statement in _sql.Reset)
            await session.ExecuteAsync(statement, cancellationToken, ("zero", 0m)).ConfigureAwait(false);
    }

    public async Task HandleAsync(ProjectionSession session, IReadOnlyList<EventEnvelope> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(events);
        var totals = await ReadTotalsAsync(session, _sql, cancellationToken).ConfigureAwait(false);
        var before = totals;

        var commands = new Commands(session, _sql);
        await using (commands.ConfigureAwait(false))
        {
            foreach (var envelope in events)
            {
                if (envelope.Event is not AccountEvent @event) continue; // not ours: only the offset moves
                totals = await ApplyAsync(commands, envelope, @event, totals, cancellationToken).ConfigureAwait(false);
            }
        }

        if (totals != before)
        {
            await session.ExecuteAsync(_sql.WriteTotals, cancellationToken,
                ("accounts_open", totals.AccountsOpen), ("accounts_closed", totals.AccountsClosed), ("total_balance", totals.TotalBalance),
                ("total_deposited", totals.TotalDeposited), ("total_withdrawn", totals.TotalWithdrawn)).ConfigureAwait(false);
        }
    }

    internal static async Task<BankTotals> ReadTotalsAsync(ProjectionSession session, BankSql sql, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(sql.ReadTotals, r => new BankTotals(
            r.GetInt64(0), r.GetInt64(1), session.GetDecimal(r, 2), session.GetDecimal(r, 3), session.GetDecimal(r, 4)), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? BankTotals.Zero : rows[0];
    }

    private async Task<BankTotals> ApplyAsync(Commands commands, EventEnvelope envelope, AccountEvent @event, BankTotals totals, CancellationToken cancellationToken)
    {
        var version = envelope.SequenceNr;
        switch (@event)
        {
            case AccountOpened opened:
                if (await commands.ExecuteAsync(commands.Opened, cancellationToken,
                        ("account_id", opened.AccountId), ("owner", opened.Owner), ("currency", opened.Currency), ("zero", 0m),
                        ("version", version), ("at", opened.At)).ConfigureAwait(false) == 1)
                {
                    return totals with { AccountsOpen = totals.AccountsOpen + 1 };
                }
                await EnsureSeenAsync(commands, envelope, @event, cancellationToken).ConfigureAwait(false);
                return totals;

            case MoneyDeposited deposited:
                if (!await ApplyMoneyAsync(commands, envelope, TransactionKind.Deposit, deposited.Amount, deposited.BalanceAfter, deposited.At, cancellationToken).ConfigureAwait(false))
                    return totals;
                return totals with { TotalBalance = totals.TotalBalance + deposited.Amount, TotalDeposited = totals.TotalDeposited + deposited.Amount };

            case MoneyWithdrawn withdrawn:
                if (!await ApplyMoneyAsync(commands, envelope, TransactionKind.Withdrawal, withdrawn.Amount, withdrawn.BalanceAfter, withdrawn.At, cancellationToken).ConfigureAwait(false))
                    return totals;
                return totals with { TotalBalance = totals.TotalBalance - withdrawn.Amount, TotalWithdrawn = totals.TotalWithdrawn + withdrawn.Amount };

            case AccountClosed closed:
                if (await commands.ExecuteAsync(commands.Closed, cancellationToken,
                        ("account_id", closed.AccountId), ("version", version), ("at", closed.At)).ConfigureAwait(false) == 1)
                {
                    return totals with { AccountsOpen = totals.AccountsOpen - 1, AccountsClosed = totals.AccountsClosed + 1 };
                }
                await EnsureSeenAsync(commands, envelope, @event, cancellationToken).ConfigureAwait(false);
                return totals;

            default:
                throw new InvalidOperationException($"Unknown account event {@event.GetType().Name} at offset {envelope.Offset}.");
        }
    }

    /// <returns>Whether the event applied (false: it had been applied before).</returns>
    private async Task<bool> ApplyMoneyAsync(Commands commands, EventEnvelope envelope, TransactionKind kind, decimal amount, decimal balanceAfter,
        DateTimeOffset at, CancellationToken cancellationToken)
    {
        var accountId = ((AccountEvent)envelope.Event).AccountId;
        var inserted = await commands.ExecuteAsync(commands.Transaction, cancellationToken,
            ("account_id", accountId), ("version", envelope.SequenceNr), ("kind", kind == TransactionKind.Deposit ? "deposit" : "withdrawal"),
            ("amount", amount), ("balance_after", balanceAfter), ("at", at), ("offset", envelope.Offset)).ConfigureAwait(false);
        if (inserted == 0) return false; // (account_id, version) is there already
        var updated = await commands.ExecuteAsync(commands.Balance, cancellationToken,
            ("account_id", accountId), ("version", envelope.SequenceNr), ("balance_after", balanceAfter), ("at", at)).ConfigureAwait(false);
        if (updated == 0) await EnsureSeenAsync(commands, envelope, (AccountEvent)envelope.Event, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The event did not apply to the summary: fine if the summary is at its version or past it; a gap is an error.</summary>
    private async Task EnsureSeenAsync(Commands commands, EventEnvelope envelope, AccountEvent @event, CancellationToken cancellationToken)
    {
        var current = await commands.ScalarAsync(commands.Version, cancellationToken, ("account_id", @event.AccountId)).ConfigureAwait(false);
        var version = current is null ? 0 : Convert.ToInt64(current, System.Globalization.CultureInfo.InvariantCulture);
        if (version >= envelope.SequenceNr) return;
        throw new InvalidOperationException(
            $"{@event.GetType().Name} of account '{@event.AccountId}' at version {envelope.SequenceNr} (offset {envelope.Offset}) does not follow " +
            $"the read model's version {version}: an event is missing from the stream.");
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
