namespace Actors.Journal.Sqlite;

/// <summary>
/// The tables exactly as Akka.Persistence.Sql 1.5.73 (linq2db, provider SQLite.MS, default table mapping, tag-write-mode
/// TagTable, delete-compatibility-mode off) creates them: the same statement text, so sqlite_schema holds the same
/// definitions whoever created the file. The snapshot table is the snapshot store's business.
/// </summary>
internal static class SqliteSchema
{
    public const string Create =
        "CREATE TABLE IF NOT EXISTS [journal]\n(\n" +
        "\t[ordering]        INTEGER        NOT NULL PRIMARY KEY AUTOINCREMENT,\n" +
        "\t[created]         INTEGER        NOT NULL,\n" +
        "\t[deleted]         Bit            NOT NULL,\n" +
        "\t[persistence_id]  NVarChar(255)  NOT NULL,\n" +
        "\t[sequence_number] INTEGER        NOT NULL,\n" +
        "\t[message]         VarBinary      NOT NULL,\n" +
        "\t[manifest]        NVarChar(500)      NULL,\n" +
        "\t[identifier]      INTEGER            NULL,\n" +
        "\t[writer_uuid]     NVarChar(128)      NULL\n" +
        ");\n" +
        "CREATE UNIQUE INDEX IF NOT EXISTS journal_uq ON journal (persistence_id, sequence_number);\n" +
        "CREATE INDEX IF NOT EXISTS journal_created_idx ON journal (created);\n" +
        "CREATE INDEX IF NOT EXISTS journal_sequence_number_idx ON journal (sequence_number);\n" +
        "CREATE TABLE IF NOT EXISTS [tags]\n(\n" +
        "\t[ordering_id]    INTEGER       NOT NULL,\n" +
        "\t[tag]            NVarChar(64)  NOT NULL,\n" +
        "\t[sequence_nr]    INTEGER       NOT NULL,\n" +
        "\t[persistence_id] NVarChar(255) NOT NULL,\n" +
        "\n" +
        "\tCONSTRAINT [PK_tags] PRIMARY KEY ([ordering_id], [tag])\n" +
        ");\n" +
        "CREATE INDEX IF NOT EXISTS tags_persistence_id_sequence_nr_idx ON tags (persistence_id, sequence_nr);\n" +
        "CREATE INDEX IF NOT EXISTS tags_tag_idx ON tags (tag);\n";
}
