-- Actors.Persistence.Sql schema for PostgreSQL 13+ (idempotent). Table names are unqualified: the journal runs this
-- with search_path set to its configured schema; run it by hand in the schema you want (default public).
-- Payloads are opaque bytes (bytea) produced by the event serializer: never real/float, so money stays exact.
-- Timestamps are unix milliseconds (bigint).

-- One row per event. ordering is the global position.
CREATE TABLE IF NOT EXISTS journal (
    ordering       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    persistence_id TEXT   NOT NULL,
    sequence_nr    BIGINT NOT NULL,
    -- The id of the transaction that wrote the row. Every journal write transaction runs
    -- SELECT pg_current_xact_id() as its first statement, so it owns an xid before it draws any ordering value.
    -- Orderings are drawn from a sequence outside of transactions and concurrent transactions commit in any
    -- order, so a reader can see a gap (ordering 7 missing while 8 is visible). Because the writer of 7 already
    -- had its xid when it drew 7, a reader can tell whether the gap may still fill. The snapshot's in-progress
    -- list alone does not say it (it omits running xids at or above its xmax), so the reader also takes an xid
    -- of its own (pg_current_xact_id()) after seeing the gap: once a snapshot shows no xid below the reader's own
    -- in progress, every writer that could hold 7 has ended and the gap is final (rolled back). Without the early
    -- xid a transaction could hold an ordering before it had any xid to wait for.
    -- See GapTracker in Actors.Persistence.Query for the argument.
    tx_id          XID8   NOT NULL,
    writer_id      TEXT   NOT NULL,
    manifest       TEXT   NOT NULL,
    payload        BYTEA  NOT NULL,
    timestamp      BIGINT NOT NULL,
    -- JSON array of the event's (distinct) tags, NULL when untagged. Read back on replay; deleting events finds
    -- their tag rows with it. Tag queries never scan it, they go through event_tag.
    tags           TEXT   NULL,
    -- The fence: a second write of a taken sequence number fails (23505) and overwrites nothing.
    CONSTRAINT journal_persistence_id_sequence_nr_key UNIQUE (persistence_id, sequence_nr)
);

-- One row per (tag, event): the index that tag queries read, in global order.
CREATE TABLE IF NOT EXISTS event_tag (
    tag            TEXT   NOT NULL,
    ordering       BIGINT NOT NULL,
    persistence_id TEXT   NOT NULL,
    sequence_nr    BIGINT NOT NULL,
    PRIMARY KEY (tag, ordering)
);

-- No index on (persistence_id, sequence_nr): deleting events finds their tag rows by key, from the journal's tags
-- column. Each index is one more insert per tag row on the write path.

-- The highest sequence number of a persistence id whose events were deleted (written by DeleteMessagesTo only).
CREATE TABLE IF NOT EXISTS metadata (
    persistence_id  TEXT   NOT NULL PRIMARY KEY,
    max_sequence_nr BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS snapshot (
    persistence_id TEXT   NOT NULL,
    sequence_nr    BIGINT NOT NULL,
    created        BIGINT NOT NULL,
    manifest       TEXT   NOT NULL,
    payload        BYTEA  NOT NULL,
    PRIMARY KEY (persistence_id, sequence_nr)
);
