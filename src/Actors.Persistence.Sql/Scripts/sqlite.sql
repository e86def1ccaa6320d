-- Actors.Persistence.Sql schema for SQLite (idempotent). The journal runs this itself when AutoInitialize is on.
-- Payloads are opaque bytes (BLOB) produced by the event serializer: never REAL/float, so money stays exact.
-- Timestamps are unix milliseconds (INTEGER).

-- One row per event. ordering is the global position: AUTOINCREMENT so a deleted position is never handed out again.
CREATE TABLE IF NOT EXISTS journal (
    ordering       INTEGER PRIMARY KEY AUTOINCREMENT,
    persistence_id TEXT    NOT NULL,
    sequence_nr    INTEGER NOT NULL,
    writer_id      TEXT    NOT NULL,
    manifest       TEXT    NOT NULL,
    payload        BLOB    NOT NULL,
    timestamp      INTEGER NOT NULL,
    -- JSON array of the event's (distinct) tags, NULL when untagged. Read back on replay; the writer derives the
    -- event_tag rows of a batch from it (json_each), and deleting events finds their tag rows with it.
    -- Tag queries never scan it, they go through event_tag.
    tags           TEXT    NULL,
    -- The fence: a second write of a taken sequence number fails and overwrites nothing.
    UNIQUE (persistence_id, sequence_nr)
);

-- One row per (tag, event): the index that tag queries read, in global order.
CREATE TABLE IF NOT EXISTS event_tag (
    tag            TEXT    NOT NULL,
    ordering       INTEGER NOT NULL,
    persistence_id TEXT    NOT NULL,
    sequence_nr    INTEGER NOT NULL,
    PRIMARY KEY (tag, ordering)
) WITHOUT ROWID;
-- WITHOUT ROWID: the key is the table, one b-tree per tag row instead of a rowid table plus an index.
-- No index on (persistence_id, sequence_nr): deleting events finds their tag rows by key, from the journal's tags
-- column. Each index is one more b-tree insert per event on the write path.

-- The highest sequence number of a persistence id whose events were deleted (written by DeleteMessagesTo only).
CREATE TABLE IF NOT EXISTS metadata (
    persistence_id  TEXT    NOT NULL PRIMARY KEY,
    max_sequence_nr INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS snapshot (
    persistence_id TEXT    NOT NULL,
    sequence_nr    INTEGER NOT NULL,
    created        INTEGER NOT NULL,
    manifest       TEXT    NOT NULL,
    payload        BLOB    NOT NULL,
    PRIMARY KEY (persistence_id, sequence_nr)
);
