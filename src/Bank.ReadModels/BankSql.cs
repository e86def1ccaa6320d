using Actors.Persistence.Query.Projections;

namespace Bank.ReadModels;

/// <summary>
/// The read model's tables and statements for one database. Money is TEXT in SQLite (STRICT tables, so nothing can
/// turn it into a binary float) and NUMERIC in PostgreSQL; it is added up in C# decimals, never by SQLite.
/// Times are unix milliseconds, like the journal's.
/// </summary>
internal sealed class BankSql
{
    /// <summary>
    /// The shape of the read model's tables. Bump it when a table changes: a database of another version has its
    /// read-model tables dropped and rebuilt from offset 0 (see <see cref="BankAccountsHandler.InitializeAsync"/>).
    /// 1: bank_totals one row for every currency together (no version table yet). 2: bank_totals by currency.
    /// </summary>
    public const int SchemaVersion = 2;

    public BankSql(ProjectionDatabase database)
    {
        Dialect = database.Dialect;
        Summary = database.Table("account_summary");
        Transaction = database.Table("account_transaction");
        Totals = database.Table("bank_totals");
        Version = database.Table("bank_read_model_version");
        Offsets = database.Table(ProjectionDatabase.OffsetTable);
        var sqlite = Dialect == SqlDialect.Sqlite;
        var money = sqlite ? "TEXT" : "NUMERIC";
        var integer = sqlite ? "INTEGER" : "BIGINT";
        // PostgreSQL: byte order, the same order as SQLite's, whatever the database's collation.
        var key = sqlite ? "TEXT" : "TEXT COLLATE \"C\"";
        var strict = sqlite ? " STRICT" : "";
        var index = (string name) => sqlite ? name : "\"" + name + "\"";

        CreateVersion =
            $"""
            CREATE TABLE IF NOT EXISTS {Version} (
                id      {integer} NOT NULL PRIMARY KEY CHECK (id = 1),
                version {integer} NOT NULL
            ){strict}
            """;
        ReadVersion = $"SELECT version FROM {Version} WHERE id = 1";
        WriteVersion = $"INSERT INTO {Version} (id, version) VALUES (1, @version) ON CONFLICT (id) DO UPDATE SET version = excluded.version";
        // Children first; an index goes with its table.
        Drop = [$"DROP TABLE IF EXISTS {Transaction}", $"DROP TABLE IF EXISTS {Summary}", $"DROP TABLE IF EXISTS {Totals}"];
        ResetOffset = $"UPDATE {Offsets} SET last_offset = 0 WHERE name = @name";

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
            // One row for every currency that has had an account: amounts of different currencies are never added.
            $"""
            CREATE TABLE IF NOT EXISTS {Totals} (
                currency        {key}     NOT NULL PRIMARY KEY,
                accounts_open   {integer} NOT NULL,
                accounts_closed {integer} NOT NULL,
                total_balance   {money}   NOT NULL,
                total_deposited {money}   NOT NULL,
                total_withdrawn {money}   NOT NULL
            ){strict}
            """,
        ];

        Reset =
        [
            $"DELETE FROM {Transaction}",
            $"DELETE FROM {Summary}",
            $"DELETE FROM {Totals}",
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
        // Applies only the next version: an event seen before changes nothing (and returns no row). The currency comes
        // back so that the totals need no second look-up.
        UpdateBalance =
            $"""
            UPDATE {Summary} SET balance = @balance_after, version = @version, last_activity_at = @at
            WHERE account_id = @account_id AND version = @version - 1
            RETURNING currency
            """;
        UpdateClosed =
            $"""
            UPDATE {Summary} SET status = 'closed', version = @version, last_activity_at = @at
            WHERE account_id = @account_id AND version = @version - 1
            RETURNING currency
            """;
        SummaryVersion = $"SELECT version FROM {Summary} WHERE account_id = @account_id";
        SummaryCurrency = $"SELECT currency FROM {Summary} WHERE account_id = @account_id";
        ReadTotals = $"SELECT currency, accounts_open, accounts_closed, total_balance, total_deposited, total_withdrawn FROM {Totals} ORDER BY currency";
        WriteTotals =
            $"""
            INSERT INTO {Totals} (currency, accounts_open, accounts_closed, total_balance, total_deposited, total_withdrawn)
            VALUES (@currency, @accounts_open, @accounts_closed, @total_balance, @total_deposited, @total_withdrawn)
            ON CONFLICT (currency) DO UPDATE SET accounts_open = excluded.accounts_open, accounts_closed = excluded.accounts_closed,
                total_balance = excluded.total_balance, total_deposited = excluded.total_deposited, total_withdrawn = excluded.total_withdrawn
            """;
        SummaryColumns = "account_id, owner, currency, balance, status, version, opened_at, last_activity_at";
        TransactionColumns = "account_id, version, kind, amount, balance_after, occurred_at, global_offset";
    }

    public SqlDialect Dialect { get; }
    public string Summary { get; }
    public string Transaction { get; }
    public string Totals { get; }
    public string Version { get; }
    public string Offsets { get; }
    public string CreateVersion { get; }
    public string ReadVersion { get; }
    public string WriteVersion { get; }
    public IReadOnlyList<string> Drop { get; }
    public string ResetOffset { get; }
    public IReadOnlyList<string> Schema { get; }
    public IReadOnlyList<string> Reset { get; }
    public string InsertOpened { get; }
    public string InsertTransaction { get; }
    public string UpdateBalance { get; }
    public string UpdateClosed { get; }
    public string SummaryVersion { get; }
    public string SummaryCurrency { get; }
    public string ReadTotals { get; }
    public string WriteTotals { get; }
    public string SummaryColumns { get; }
    public string TransactionColumns { get; }
}
