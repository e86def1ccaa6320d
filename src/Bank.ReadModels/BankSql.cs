using Bank.ReadModels.Projections;

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
    /// 3: account_transaction is a WITHOUT ROWID table on SQLite (one b-tree keyed by (account_id, version) instead of
    /// a rowid table plus its primary-key index: one b-tree insert per history row instead of two).
    /// 4: transfers: account_transaction has transfer kinds with the transfer id and the counterparty, bank_totals the
    /// money in flight, and bank_transfer one row per transfer that moved money.
    /// </summary>
    public const int SchemaVersion = 4;

    /// <summary>The parameters of one history row.</summary>
    public const int HistoryColumns = 9;

    /// <summary>PostgreSQL: history rows per multi-row INSERT (9 parameters each), one round trip for 64 rows.</summary>
    private const int PostgresHistoryChunk = 64;

    public BankSql(ProjectionDatabase database)
    {
        Dialect = database.Dialect;
        Summary = database.Table("account_summary");
        Transaction = database.Table("account_transaction");
        Totals = database.Table("bank_totals");
        Transfer = database.Table("bank_transfer");
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
        Drop = [$"DROP TABLE IF EXISTS {Transaction}", $"DROP TABLE IF EXISTS {Summary}", $"DROP TABLE IF EXISTS {Totals}", $"DROP TABLE IF EXISTS {Transfer}"];
        // Only a projection that had made progress is reset (and its rebuild logged); a new database has offset 0.
        ResetOffset = $"UPDATE {Offsets} SET last_offset = 0 WHERE name = @name AND last_offset <> 0";

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
                kind          TEXT      NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'transfer-out', 'transfer-in', 'transfer-refund')),
                amount        {money}   NOT NULL,
                balance_after {money}   NOT NULL,
                occurred_at   {integer} NOT NULL,
                global_offset {integer} NOT NULL,
                transfer_id   TEXT,
                counterparty  TEXT,
                PRIMARY KEY (account_id, version)
            ){(sqlite ? " STRICT, WITHOUT ROWID" : "")}
            """,
            // One row for every currency that has had an account: amounts of different currencies are never added.
            $"""
            CREATE TABLE IF NOT EXISTS {Totals} (
                currency        {key}     NOT NULL PRIMARY KEY,
                accounts_open   {integer} NOT NULL,
                accounts_closed {integer} NOT NULL,
                total_balance   {money}   NOT NULL,
                total_deposited {money}   NOT NULL,
                total_withdrawn {money}   NOT NULL,
                money_in_flight {money}   NOT NULL
            ){strict}
            """,
            // One row per transfer that moved money (a debit happened): pending until the target's credit or the source's refund.
            $"""
            CREATE TABLE IF NOT EXISTS {Transfer} (
                transfer_id     {key}     NOT NULL PRIMARY KEY,
                from_account_id {key}     NOT NULL,
                to_account_id   {key}     NOT NULL,
                currency        TEXT      NOT NULL,
                amount          {money}   NOT NULL,
                status          TEXT      NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
                started_at      {integer} NOT NULL,
                ended_at        {integer},
                global_offset   {integer} NOT NULL
            ){strict}
            """,
            $"CREATE INDEX IF NOT EXISTS {index("bank_transfer_from")} ON {Transfer} (from_account_id, global_offset)",
            $"CREATE INDEX IF NOT EXISTS {index("bank_transfer_to")} ON {Transfer} (to_account_id, global_offset)",
        ];

        Reset =
        [
            $"DELETE FROM {Transaction}",
            $"DELETE FROM {Summary}",
            $"DELETE FROM {Totals}",
            $"DELETE FROM {Transfer}",
        ];

        var p = (int position) => database.Parameter(position);
        // The summaries of a batch's accounts, in one query: the ids go as one parameter (a JSON array on SQLite, an
        // array on PostgreSQL).
        LoadSummaries = sqlite
            ? $"SELECT account_id, owner, currency, balance, status, version, opened_at, last_activity_at FROM {Summary} WHERE account_id IN (SELECT value FROM json_each(@ids))"
            : $"SELECT account_id, owner, currency, balance, status, version, opened_at, last_activity_at FROM {Summary} WHERE account_id = ANY(@ids)";
        // Positional, prepared once per batch (see ProjectionStatement): one row per account the batch touched.
        InsertSummary =
            $"""
            INSERT INTO {Summary} (account_id, owner, currency, balance, status, version, opened_at, last_activity_at)
            VALUES ({p(1)}, {p(2)}, {p(3)}, {p(4)}, {p(5)}, {p(6)}, {p(7)}, {p(8)})
            """;
        // Guarded by the version the batch read: nothing else writes the read model, so this always finds its row.
        UpdateSummary =
            $"""
            UPDATE {Summary} SET balance = {p(2)}, status = {p(3)}, version = {p(4)}, last_activity_at = {p(5)}
            WHERE account_id = {p(1)} AND version = {p(6)}
            """;
        // SQLite: one row per INSERT, run from a prepared statement (no round trips to save). A multi-row INSERT there
        // is a statement that may fail half done, so SQLite keeps a statement journal for it: a copy of every page it
        // touches (8 KB per account of the chunk), which cost more than the inserts.
        HistoryChunk = sqlite ? 1 : PostgresHistoryChunk;
        InsertHistoryRow = HistoryInsert(1);
        InsertHistoryChunk = HistoryInsert(HistoryChunk);

        string HistoryInsert(int rows)
        {
            var values = new System.Text.StringBuilder();
            for (var r = 0; r < rows; r++)
            {
                var b = r * HistoryColumns;
                values.Append(r == 0 ? "" : ", ")
                    .Append($"({p(b + 1)}, {p(b + 2)}, {p(b + 3)}, {p(b + 4)}, {p(b + 5)}, {p(b + 6)}, {p(b + 7)}, {p(b + 8)}, {p(b + 9)})");
            }
            return $"""
                INSERT INTO {Transaction} (account_id, version, kind, amount, balance_after, occurred_at, global_offset, transfer_id, counterparty)
                VALUES {values}
                ON CONFLICT (account_id, version) DO NOTHING
                """;
        }

        ReadTotals = $"SELECT currency, accounts_open, accounts_closed, total_balance, total_deposited, total_withdrawn, money_in_flight FROM {Totals} ORDER BY currency";
        WriteTotals =
            $"""
            INSERT INTO {Totals} (currency, accounts_open, accounts_closed, total_balance, total_deposited, total_withdrawn, money_in_flight)
            VALUES (@currency, @accounts_open, @accounts_closed, @total_balance, @total_deposited, @total_withdrawn, @money_in_flight)
            ON CONFLICT (currency) DO UPDATE SET accounts_open = excluded.accounts_open, accounts_closed = excluded.accounts_closed,
                total_balance = excluded.total_balance, total_deposited = excluded.total_deposited, total_withdrawn = excluded.total_withdrawn,
                money_in_flight = excluded.money_in_flight
            """;
        // A transfer's row from any of its account events, whatever order they are projected in: the debit only inserts, the
        // credit or refund ends it (and inserts it if its debit were ever projected later).
        UpsertTransfer =
            $"""
            INSERT INTO {Transfer} AS t (transfer_id, from_account_id, to_account_id, currency, amount, status, started_at, ended_at, global_offset)
            VALUES ({p(1)}, {p(2)}, {p(3)}, {p(4)}, {p(5)}, {p(6)}, {p(7)}, {p(8)}, {p(9)})
            ON CONFLICT (transfer_id) DO UPDATE SET
                status = CASE WHEN excluded.status = 'pending' THEN t.status ELSE excluded.status END,
                ended_at = COALESCE(excluded.ended_at, t.ended_at)
            """;
        TransferColumns = "transfer_id, from_account_id, to_account_id, currency, amount, status, started_at, ended_at, global_offset";
        SummaryColumns = "account_id, owner, currency, balance, status, version, opened_at, last_activity_at";
        TransactionColumns = "account_id, version, kind, amount, balance_after, occurred_at, global_offset, transfer_id, counterparty";
    }

    public SqlDialect Dialect { get; }
    public string Summary { get; }
    public string Transaction { get; }
    public string Totals { get; }
    public string Transfer { get; }
    public string UpsertTransfer { get; }
    public string TransferColumns { get; }
    public string Version { get; }
    public string Offsets { get; }
    public string CreateVersion { get; }
    public string ReadVersion { get; }
    public string WriteVersion { get; }
    public IReadOnlyList<string> Drop { get; }
    public string ResetOffset { get; }
    public IReadOnlyList<string> Schema { get; }
    public IReadOnlyList<string> Reset { get; }
    public string LoadSummaries { get; }
    public string InsertSummary { get; }
    public string UpdateSummary { get; }
    /// <summary>The rows of <see cref="InsertHistoryChunk"/>.</summary>
    public int HistoryChunk { get; }
    public string InsertHistoryRow { get; }
    public string InsertHistoryChunk { get; }
    public string ReadTotals { get; }
    public string WriteTotals { get; }
    public string SummaryColumns { get; }
    public string TransactionColumns { get; }
}
