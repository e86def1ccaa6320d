namespace Actors.Journal.Postgres;

/// <summary>
/// The tables exactly as Akka.Persistence.Sql 1.5.73 (linq2db, provider PostgreSQL.15, default table mapping, schema-name
/// null, tag-write-mode TagTable, delete-compatibility-mode off) creates them: the same columns, types, identity, constraint
/// and index names, so either plugin finds the other's tables complete. Run under an advisory lock.
/// </summary>
internal static class PostgresSchema
{
    // Any fixed number: serializes concurrent schema creation (CREATE ... IF NOT EXISTS races with itself).
    public const long LockKey = 0x4163746F72474A4C; // "ActorGJL"

    public const string Create =
        """
        CREATE TABLE IF NOT EXISTS journal
        (
            ordering        bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
            created         bigint  NOT NULL,
            deleted         boolean NOT NULL,
            persistence_id  text    NOT NULL,
            sequence_number bigint  NOT NULL,
            message         bytea   NOT NULL,
            manifest        text        NULL,
            identifier      integer     NULL,
            writer_uuid     text        NULL,

            CONSTRAINT "PK_journal" PRIMARY KEY (ordering)
        );
        do $BLOCK$
        begin
            begin
                alter table journal add constraint journal_uq unique (persistence_id, sequence_number);
            exception
                when duplicate_table then null;
            end;
            begin
                create index journal_created_idx on journal (created);
            exception
                when duplicate_table then null;
            end;
            begin
                create index journal_sequence_number_idx on journal (sequence_number);
            exception
                when duplicate_table then null;
            end;
        end;
        $BLOCK$;
        CREATE TABLE IF NOT EXISTS tags
        (
            ordering_id    bigint NOT NULL,
            tag            text   NOT NULL,
            sequence_nr    bigint NOT NULL,
            persistence_id text   NOT NULL,

            CONSTRAINT "PK_tags" PRIMARY KEY (ordering_id, tag)
        );
        do $BLOCK$
        begin
            begin
                create index tags_persistence_id_sequence_nr_idx on tags (persistence_id, sequence_nr);
            exception
                when duplicate_table then null;
            end;
            begin
                create index tags_tag_idx on tags (tag);
            exception
                when duplicate_table then null;
            end;
        end;
        $BLOCK$;
        """;
}
