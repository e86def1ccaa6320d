using System.Data.Common;
using Bank.Domain;
using Bank.ReadModels.Projections;

namespace Bank.ReadModels;

/// <summary>
/// Reads the bank's read model (as of the projection's offset; see <see cref="Projection.WaitForOffsetAsync"/> for
/// read-your-writes). Lists come in a stable order: accounts by account id, transactions by version (oldest first).
/// </summary>
public sealed class BankReadModelQueries
{
    private readonly ProjectionDatabase _database;
    private readonly BankSql _sql;

    public BankReadModelQueries(ProjectionDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _sql = new BankSql(database);
    }

    public Task<Page<AccountSummary>> ListAccountsAsync(AccountListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckPage(query.Offset, query.Limit);
        List<string> conditions = [];
        List<(string, object?)> parameters = [("limit", (long)query.Limit + 1), ("offset", (long)query.Offset)];
        if (query.Status is { } status)
        {
            conditions.Add("status = @status");
            parameters.Add(("status", StatusText(status)));
        }
        if (query.Owner is { } owner)
        {
            conditions.Add("owner = @owner");
            parameters.Add(("owner", owner));
        }
        var where = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        var sql = $"SELECT {_sql.SummaryColumns} FROM {_sql.Summary}{where} ORDER BY account_id LIMIT @limit OFFSET @offset";
        return _database.ReadAsync(async (session, ct) =>
        {
            var rows = await session.QueryAsync(sql, r => ReadSummary(session, r), ct, [.. parameters]).ConfigureAwait(false);
            return ToPage(rows, query.Offset, query.Limit);
        }, cancellationToken);
    }

    /// <summary>The account's summary; null when the read model does not know it (yet).</summary>
    public Task<AccountSummary?> GetAccountAsync(string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        var sql = $"SELECT {_sql.SummaryColumns} FROM {_sql.Summary} WHERE account_id = @account_id";
        return _database.ReadAsync(async (session, ct) =>
        {
            var rows = await session.QueryAsync(sql, r => ReadSummary(session, r), ct, ("account_id", accountId)).ConfigureAwait(false);
            return rows.Count == 0 ? null : rows[0];
        }, cancellationToken);
    }

    /// <summary>The account's deposits and withdrawals, oldest first (empty for an unknown account).</summary>
    public Task<Page<AccountTransaction>> GetTransactionsAsync(string accountId, int offset = 0, int limit = BankReadModel.DefaultPageSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        CheckPage(offset, limit);
        var sql = $"SELECT {_sql.TransactionColumns} FROM {_sql.Transaction} WHERE account_id = @account_id ORDER BY version LIMIT @limit OFFSET @offset";
        return _database.ReadAsync(async (session, ct) =>
        {
            var rows = await session.QueryAsync(sql, r => ReadTransaction(session, r), ct,
                ("account_id", accountId), ("limit", (long)limit + 1), ("offset", (long)offset)).ConfigureAwait(false);
            return ToPage(rows, offset, limit);
        }, cancellationToken);
    }

    /// <summary>The transfers that moved money from or to the account, oldest first (by the offset of their debit).</summary>
    public Task<Page<TransferSummary>> GetTransfersAsync(string accountId, int offset = 0, int limit = BankReadModel.DefaultPageSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        CheckPage(offset, limit);
        var sql = $"""
            SELECT {_sql.TransferColumns} FROM {_sql.Transfer} WHERE from_account_id = @account_id
            UNION ALL
            SELECT {_sql.TransferColumns} FROM {_sql.Transfer} WHERE to_account_id = @account_id
            ORDER BY global_offset LIMIT @limit OFFSET @offset
            """;
        return _database.ReadAsync(async (session, ct) =>
        {
            var rows = await session.QueryAsync(sql, r => ReadTransfer(session, r), ct,
                ("account_id", accountId), ("limit", (long)limit + 1), ("offset", (long)offset)).ConfigureAwait(false);
            return ToPage(rows, offset, limit);
        }, cancellationToken);
    }

    /// <summary>The totals of every currency that has had an account, by currency (ordinal).</summary>
    public Task<BankTotals> GetTotalsAsync(CancellationToken cancellationToken = default) =>
        _database.ReadAsync((session, ct) => BankAccountsHandler.ReadTotalsAsync(session, _sql, ct), cancellationToken);

    /// <summary>
    /// The totals of one owner's accounts, by currency, in the shape of the bank's (a customer's own stats). Summed here,
    /// as decimals, from the owner's accounts and their transactions: SQLite's SUM would go through binary floating point.
    /// </summary>
    public Task<BankTotals> GetTotalsForOwnerAsync(string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var accountsSql = $"SELECT currency, status, balance FROM {_sql.Summary} WHERE owner = @owner";
        var movementsSql = $"SELECT s.currency, t.kind, t.amount FROM {_sql.Transaction} t JOIN {_sql.Summary} s ON s.account_id = t.account_id WHERE s.owner = @owner";
        return _database.ReadAsync(async (session, ct) =>
        {
            var byCurrency = new SortedDictionary<string, CurrencyTotals>(StringComparer.Ordinal);
            CurrencyTotals Row(string currency) => byCurrency.TryGetValue(currency, out var row) ? row : byCurrency[currency] = CurrencyTotals.Zero(currency);
            var accounts = await session.QueryAsync(accountsSql, r => (Currency: r.GetString(0), Status: r.GetString(1), Balance: session.GetDecimal(r, 2)), ct,
                ("owner", owner)).ConfigureAwait(false);
            foreach (var (currency, status, balance) in accounts)
            {
                var row = Row(currency);
                byCurrency[currency] = status == "open"
                    ? row with { AccountsOpen = row.AccountsOpen + 1, TotalBalance = row.TotalBalance + balance }
                    : row with { AccountsClosed = row.AccountsClosed + 1, TotalBalance = row.TotalBalance + balance };
            }
            var movements = await session.QueryAsync(movementsSql, r => (Currency: r.GetString(0), Kind: r.GetString(1), Amount: session.GetDecimal(r, 2)), ct,
                ("owner", owner)).ConfigureAwait(false);
            foreach (var (currency, kind, amount) in movements)
            {
                var row = Row(currency);
                byCurrency[currency] = kind == "deposit"
                    ? row with { TotalDeposited = row.TotalDeposited + amount }
                    : row with { TotalWithdrawn = row.TotalWithdrawn + amount };
            }
            return new BankTotals(byCurrency.Values.ToList());
        }, cancellationToken);
    }

    private static void CheckPage(int offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, BankReadModel.MaxPageSize);
    }

    private static Page<T> ToPage<T>(List<T> rows, int offset, int limit)
    {
        var hasMore = rows.Count > limit;
        if (hasMore) rows.RemoveAt(rows.Count - 1);
        return new Page<T>(rows, offset, limit, hasMore ? offset + limit : null);
    }

    private static AccountSummary ReadSummary(ProjectionSession session, DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), session.GetDecimal(r, 3), ParseStatus(r.GetString(4)), r.GetInt64(5),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)));

    private static AccountTransaction ReadTransaction(ProjectionSession session, DbDataReader r) => new(
        r.GetString(0), r.GetInt64(1), ParseKind(r.GetString(2)),
        session.GetDecimal(r, 3), session.GetDecimal(r, 4), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)), r.GetInt64(6))
    {
        TransferId = r.IsDBNull(7) ? null : Guid.Parse(r.GetString(7)),
        Counterparty = r.IsDBNull(8) ? null : r.GetString(8),
    };

    private static TransferSummary ReadTransfer(ProjectionSession session, DbDataReader r) => new(
        Guid.Parse(r.GetString(0)), r.GetString(1), r.GetString(2), r.GetString(3), session.GetDecimal(r, 4),
        r.GetString(5) switch
        {
            "pending" => TransferStatus.Pending,
            "completed" => TransferStatus.Completed,
            "failed" => TransferStatus.Failed,
            var other => throw new InvalidOperationException($"Unknown transfer status '{other}' in bank_transfer."),
        },
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)), r.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)),
        r.GetInt64(8));

    private static TransactionKind ParseKind(string text) => text switch
    {
        "deposit" => TransactionKind.Deposit,
        "withdrawal" => TransactionKind.Withdrawal,
        "transfer-out" => TransactionKind.TransferOut,
        "transfer-in" => TransactionKind.TransferIn,
        "transfer-refund" => TransactionKind.TransferRefund,
        _ => throw new InvalidOperationException($"Unknown transaction kind '{text}' in account_transaction."),
    };

    internal static string StatusText(AccountStatus status) => status switch
    {
        AccountStatus.Open => "open",
        AccountStatus.Closed => "closed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "The read model holds open and closed accounts only."),
    };

    private static AccountStatus ParseStatus(string text) => text switch
    {
        "open" => AccountStatus.Open,
        "closed" => AccountStatus.Closed,
        _ => throw new InvalidOperationException($"Unknown account status '{text}' in account_summary."),
    };
}
