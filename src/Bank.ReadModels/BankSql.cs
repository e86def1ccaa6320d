using Actors.Persistence.Query.Projections;

namespace Bank.ReadModels;

/// <summary>
/// The read model's tables and statements for one database. Money is TEXT in SQLite (STRICT tables, so nothing can
/// turn it into a binary float) and NUMERIC in PostgreSQL; it is added up in C# decimals, never by SQLite.
/// Times are unix milliseconds, like the journal's.
/// </summary>
internal sealed class BankSql
{
    public BankSql(ProjectionDatabase database)
    {
        Dialect = database.Dialect;
        Summary = database.Table("account_summary");
        Transaction = database.Table("account_transaction");
        Totals = database.Table("bank_totals");
        var sqlite = Dialect == SqlDialect.Sqlite;
        var money = sqlite ? "TEXT" : "NUMERIC";
        var integer = sqlite ? "INTEGER" : "BIGINT";
        // PostgreSQL: byte order, the same order as SQLite's, whatever the database's collation.
        var key = sqlite ? "TEXT" : "TEXT COLLATE \"C\"";
        var strict = sqlite ? " STRICT" : "";
        var index = (string name) => sqlite ? name : "\"" + name + "\"";

        Schema =
        [
            $"""
            CREATE TABLE IF NOT EXISTS {Summary} (
                account_id       {key}     NOT NULL PRIMARY KEY,
                owner            TEXT      NOT NULL,
                currency         TEXT      NOT NULL,
                balance          {money}   NOT NULL,
                status           TEXT      NOT NULL CHECK (status IN ('open', 'closed')),
                version          {integer} NOT NULL,
                opened_at        {integer} NOT NULL,
                last_activity_at {integer} NOT NULL
            ){strict}
            """,
            $"CREATE INDEX IF NOT EXISTS {index("account_summary_status")} ON {Summary} (status, account_id)",
            $"CREATE INDEX IF NOT EXISTS {index("account_summary_owner")} ON {Summary} (owner, account_id)",
            $"""
            CREATE TABLE IF NOT EXISTS {Transaction} (
                account_id    {key}     NOT NULL,
                version       {integer} NOT NULL,
                kind          TEXT      NOT NULL CHECK (kind IN ('deposit', 'withdrawal')),
                amount        {money}   NOT NULL,
                balance_after {money}   NOT NULL,
                occurred_at   {integer} NOT NULL,
                global_offset {integer} NOT NULL,
                PRIMARY KEY (account_id, version)
            ){strict}
            """,
            $"""
            CREATE TABLE IF NOT EXISTS {Totals} (
                id              {integer} NOT NULL PRIMARY KEY CHECK (id = 1),
                accounts_open   {integer} NOT NULL,
                accounts_closed {integer} NOT NULL,
                total_balance   {money}   NOT NULL,
                total_deposited {money}   NOT NULL,
                total_withdrawn {money}   NOT NULL
            ){strict}
            """,
            $"""
            INSERT INTO {Totals} (id, accounts_open, accounts_closed, total_balance, total_deposited, total_withdrawn)
            VALUES (1, 0, 0, @zero, @zero, @zero) ON CONFLICT (id) DO NOTHING
            """,
        ];

        Reset =
        [
            $"DELETE FROM {Transaction}",
            $"DELETE FROM {Summary}",
            $"UPDATE {Totals} SET accounts_open = 0, accounts_closed = 0, total_balance = @zero, total_deposited = @zero, total_withdrawn = @zero WHERE id = 1",
        ];

        InsertOpened =
            $"""
            INSERT INTO {Summary} (account_id, owner, currency, balance, status, version, opened_at, last_activity_at)
            VALUES (@account_id, @owner, @currency, @zero, 'open', @version, @at, @at)
            ON CONFLICT (account_id) DO NOTHING
            """;
        InsertTransaction =
            $"""
            INSERT INTO {Transaction} (account_id, version, kind, amount, balance_after, occurred_at, global_offset)
            VALUES (@account_id, @version, @kind, @amount, @balance_after, @at, @offset)
            ON CONFLICT (account_id, version) DO NOTHING
            """;
        // Applies only the next version: an event seen before changes nothing.
        UpdateBalance =
            $"""
            UPDATE {Summary} SET balance = @balance_after, version = @version, last_activity_at = @at
            WHERE account_id = @account_id AND version = @version - 1
            """;
        UpdateClosed =
            $"""
            UPDATE {Summary} SET status = 'closed', version = @version, last_activity_at = @at
            WHERE account_id = @account_id AND version = @version - 1
            """;
        SummaryVersion = $"SELECT version FROM {Summary} WHERE account_id = @account_id";
        ReadTotals = $"SELECT accounts_open, accounts_closed, total_balance, total_deposited, total_withdrawn FROM {Totals} WHERE id = 1";
        WriteTotals =
            $"""
            UPDATE {Totals} SET accounts_open = @accounts_open, accounts_closed = @accounts_closed,
                total_balance = @total_balance, total_deposited = @total_deposited, total_withdrawn = @total_withdrawn
            WHERE id = 1
            """;
        SummaryColumns = "account_id, owner, currency, balance, status, version, opened_at, last_activity_at";
        TransactionColumns = "account_id, version, kind, amount, balance_after, occurred_at, global_offset";
    }

    public SqlDialect Dialect { get; }
    public string Summary { get; }
    public string Transaction { get; }
    public string Totals { get; }
    public IReadOnlyList<string> Schema { get; }
    public IReadOnlyList<string> Reset { get; }
    public string InsertOpened { get; }
    public string InsertTransaction { get; }
    public string UpdateBalance { get; }
    public string UpdateClosed { get; }
    public string SummaryVersion { get; }
    public string ReadTotals { get; }
    public string WriteTotals { get; }
    public string SummaryColumns { get; }
    public string TransactionColumns { get; }
}
