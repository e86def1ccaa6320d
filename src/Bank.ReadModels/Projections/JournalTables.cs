namespace Bank.ReadModels.Projections;

/// <summary>
/// Where Akka.Persistence.Sql keeps its events, in its default table mapping (<c>table-mapping = default</c>,
/// <c>tag-write-mode = TagTable</c>): <c>journal(ordering, created, deleted, persistence_id, sequence_number, message,
/// manifest, identifier, writer_uuid)</c> and <c>tags(ordering_id, tag, sequence_nr, persistence_id)</c>. The read side
/// reads these tables directly only for what the read journal cannot tell: the highest ordering, the ordering of one
/// event, and which orderings of a stretch exist (to find events a live query skipped).
/// </summary>
/// <param name="Schema">
/// PostgreSQL: the schema of the journal's tables (<c>akka.persistence.journal.sql.default.schema-name</c>); null means
/// unqualified names, found through the connection's search_path as Akka.Persistence.Sql finds them. Ignored on SQLite.
/// </param>
public sealed record JournalTables(string Journal = "journal", string Tags = "tags", string? Schema = null)
{
    public static JournalTables Default { get; } = new();

    /// <summary>
    /// SQLite: the name under which the journal's file is attached to a read model kept in a file of its own (set by
    /// <see cref="SqliteProjectionDatabase"/>); null when the tables are in the connection's main database.
    /// </summary>
    internal string? SqliteAttachment { get; init; }

    internal string QualifiedJournal(SqlDialect dialect) => Qualify(dialect, Journal);

    internal string QualifiedTags(SqlDialect dialect) => Qualify(dialect, Tags);

    private string Qualify(SqlDialect dialect, string table)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        if (dialect == SqlDialect.Sqlite)
            return SqliteAttachment is null ? SqlNames.Quote(table) : SqlNames.Quote(SqliteAttachment) + "." + SqlNames.Quote(table);
        return Schema is null ? SqlNames.Quote(table) : SqlNames.Quote(Schema) + "." + SqlNames.Quote(table);
    }
}

internal static class SqlNames
{
    /// <summary>A double-quoted identifier (both dialects).</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
