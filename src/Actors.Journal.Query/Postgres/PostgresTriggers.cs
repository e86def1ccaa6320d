namespace Actors.Journal.Query.Postgres;

/// <summary>
/// The two statement-level triggers the read journal installs on the journal table (<c>create-triggers = on</c>):
/// <list type="bullet">
/// <item><c>actors_journal_xid</c>, BEFORE INSERT FOR EACH STATEMENT: <c>pg_current_xact_id()</c>, so that every
/// writing transaction owns its xid before it draws an ordering (the premise of <see cref="GapTracker"/>). It costs one
/// function call per INSERT/COPY statement, not per row.</item>
/// <item><c>actors_journal_notify</c>, AFTER INSERT FOR EACH STATEMENT: <c>pg_notify('actors_journal', '&lt;schema&gt;.&lt;table&gt;')</c>.
/// PostgreSQL delivers it when (and only if) the transaction commits, once per transaction and payload, to every
/// listener of the database: readers in any process wake at once.</item>
/// </list>
/// Neither changes what the writer stores, so the stock Akka.Persistence.Sql writer and ours work unchanged.
/// </summary>
internal static class PostgresTriggers
{
    public const string Channel = "actors_journal";

    public const string XidTrigger = "actors_journal_xid";

    public const string NotifyTrigger = "actors_journal_notify";

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The qualified, quoted table name.</summary>
    public static string Table(string? schema, string table) =>
        schema is null ? QuoteIdentifier(table) : QuoteIdentifier(schema) + "." + QuoteIdentifier(table);

    /// <summary>Idempotent DDL (functions replaced, triggers dropped and created) for the table.</summary>
    public static string CreateSql(string? schema, string journalTable)
    {
        var table = Table(schema, journalTable);
        var prefix = schema is null ? "" : QuoteIdentifier(schema) + ".";
        return
            $"""
            CREATE OR REPLACE FUNCTION {prefix}{XidTrigger}() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
                PERFORM pg_current_xact_id();
                RETURN NULL;
            END
            $fn$;
            CREATE OR REPLACE FUNCTION {prefix}{NotifyTrigger}() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
                PERFORM pg_notify('{Channel}', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
                RETURN NULL;
            END
            $fn$;
            DROP TRIGGER IF EXISTS {XidTrigger} ON {table};
            CREATE TRIGGER {XidTrigger} BEFORE INSERT ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {prefix}{XidTrigger}();
            DROP TRIGGER IF EXISTS {NotifyTrigger} ON {table};
            CREATE TRIGGER {NotifyTrigger} AFTER INSERT ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {prefix}{NotifyTrigger}();
            """;
    }
}
