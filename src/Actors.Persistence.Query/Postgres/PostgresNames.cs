namespace Actors.Persistence.Query;

/// <summary>Names and SQL of the PostgreSQL notification path.</summary>
internal static class PostgresNames
{
    /// <summary>The LISTEN/NOTIFY channel; the payload is the journal's schema name.</summary>
    public const string Channel = "actors_journal";

    public const string TriggerName = "actors_journal_notify";

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// A statement-level AFTER INSERT trigger on the journal that notifies <see cref="Channel"/> with the schema name.
    /// A notification is delivered when (and only if) the inserting transaction commits, once per transaction and
    /// payload, to every listener of the database.
    /// </summary>
    public static string NotifyTriggerSql(string schema)
    {
        var quoted = QuoteIdentifier(schema);
        return
            $"""
            CREATE OR REPLACE FUNCTION {quoted}.{TriggerName}() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
                PERFORM pg_notify('{Channel}', TG_TABLE_SCHEMA);
                RETURN NULL;
            END
            $fn$;
            DROP TRIGGER IF EXISTS {TriggerName} ON {quoted}.journal;
            CREATE TRIGGER {TriggerName} AFTER INSERT ON {quoted}.journal
                FOR EACH STATEMENT EXECUTE FUNCTION {quoted}.{TriggerName}();
            """;
    }
}
